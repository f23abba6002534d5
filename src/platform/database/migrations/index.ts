import { Foundation1764028800000 } from './1764028800000-Foundation';
import { Outbox1764115200000 } from './1764115200000-Outbox';
import { Identity1764288000000 } from './1764288000000-Identity';
import { TraceCodes1764374400000 } from './1764374400000-TraceCodes';
import { Forms1764460800000 } from './1764460800000-Forms';

/** Every migration, in order. Listed explicitly so the same list runs from ts-jest and from dist. */
export const MIGRATIONS = [Foundation1764028800000, Outbox1764115200000, Identity1764288000000, TraceCodes1764374400000, Forms1764460800000];
