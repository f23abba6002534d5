import type { GatewayFeature } from '../platform';
import { FormDocument } from './form-document.entity';
import { FormsConfig } from './forms.config';
import { Forms1764460800000 } from './migrations/1764460800000-Forms';
import { FORM_ERRORS } from './forms.errors';
import { VALUES_CONTEXT } from './form-content.service';

export const FORMS_FEATURE: GatewayFeature = {
  name: 'forms',
  entities: [FormDocument],
  migrations: [Forms1764460800000],
  config: [{ key: 'forms', type: FormsConfig }],
  errors: [FORM_ERRORS],
  piiColumns: [{ table: 'form_document', idColumn: 'id', column: 'values', context: VALUES_CONTEXT }],
};
