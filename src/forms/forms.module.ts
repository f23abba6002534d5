import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { UpstreamModule } from '../upstream/upstream.module';
import { FormsController } from './forms.controller';
import { FormsService } from './forms.service';

@Module({
  imports: [UpstreamModule, IdentityModule],
  controllers: [FormsController],
  providers: [FormsService],
  exports: [FormsService],
})
export class FormsModule {}
