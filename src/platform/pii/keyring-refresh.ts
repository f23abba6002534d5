import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { PiiCryptoService } from './pii-crypto.service';

/** How often a running instance looks at its keyring file for keys added by a rotation. */
export const KEYRING_REFRESH_MS = 10_000;

/**
 * A rotation is rolled out by putting the rotated keyring file on every instance and then restarting
 * them one by one. Until an instance restarts, this reads its file every 10 s and learns the new keys
 * for reading and lookups (PiiCryptoService.learnKeys), so it reads what restarted instances already
 * write with them; a value made with an unknown key makes it look at once as well. It keeps writing
 * with its own active key until it restarts.
 */
@Injectable()
export class KeyringRefresh implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PiiKeyring');
  private timer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  constructor(private readonly pii: PiiCryptoService) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.check(), KEYRING_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Reads the keyring file again; the ids of keys learnt. A problem is logged once until it changes. */
  check(): string[] {
    try {
      const learnt = this.pii.refresh();
      this.lastProblem = undefined;
      if (learnt.length > 0) {
        this.logger.log(
          { learnt, active: this.pii.activeKeyId },
          `the keyring file has new key(s) ${learnt.join(', ')}: read with them now; this instance still writes with ${this.pii.activeKeyId} until it is restarted`,
        );
      }
      return learnt;
    } catch (e) {
      const problem = (e as Error).message;
      if (problem !== this.lastProblem) {
        this.lastProblem = problem;
        this.logger.warn(`could not re-read the keyring file (keys in use unchanged): ${problem}`);
      }
      return [];
    }
  }
}
