import { Module } from '@nestjs/common';
import { CalendarService } from './calendar.service';

/** The working-day calendar (docs/calendar.md): what deadlines are counted on. */
@Module({
  providers: [CalendarService],
  exports: [CalendarService],
})
export class CalendarModule {}
