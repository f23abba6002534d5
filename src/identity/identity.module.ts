import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { UpstreamModule } from '../upstream/upstream.module';
import { IdentityController } from './identity.controller';
import { IdentityService } from './identity.service';

@Module({
  imports: [UpstreamModule, DevicesModule],
  controllers: [IdentityController],
  providers: [IdentityService],
  exports: [IdentityService],
})
export class IdentityModule {}
