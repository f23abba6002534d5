import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { UpstreamModule } from '../upstream/upstream.module';
import { CoverageCacheRepository } from './coverage-cache.repository';
import { CoverageRecheckJob } from './coverage-recheck.job';
import { DeviceIntakeService } from './device-intake.service';
import { IdentitySessionRepository } from './identity-session.repository';
import { IdentitySessionsService } from './identity-sessions.service';
import { IdentityController } from './identity.controller';
import { InsurerLookupService } from './insurer-lookup.service';
import { SessionEvidenceCipher } from './session-evidence';
import { SessionLocks } from './session-locks';
import { SessionVerdictService } from './session-verdict.service';
import { VerificationTokenService } from './verification-token.service';
import { VerifiedWorkerService } from './verified-worker.service';

@Module({
  imports: [UpstreamModule, DevicesModule],
  controllers: [IdentityController],
  providers: [
    IdentitySessionRepository,
    CoverageCacheRepository,
    SessionLocks,
    SessionEvidenceCipher,
    InsurerLookupService,
    VerificationTokenService,
    SessionVerdictService,
    IdentitySessionsService,
    DeviceIntakeService,
    CoverageRecheckJob,
    VerifiedWorkerService,
  ],
  exports: [VerificationTokenService, VerifiedWorkerService],
})
export class IdentityModule {}
