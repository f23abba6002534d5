import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, PlatformOptions } from './platform/platform.module';
import { ReferenceModule } from './reference/reference.module';
import { UpstreamModule } from './upstream/upstream.module';

@Module({})
export class AppModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(options), ReferenceModule, UpstreamModule],
    };
  }
}
