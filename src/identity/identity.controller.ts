import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { principalOf, RequireScopes } from '../platform';
import {
  AddQrDto,
  CreateSessionDto,
  DoctorViewDto,
  DoctorViewRequestDto,
  SessionDto,
  StaffConfirmationDto,
} from './identity.dto';
import { IdentitySessionsService } from './identity-sessions.service';
import { VerifiedWorkerService } from './verified-worker.service';
import { IDENTITY_ERRORS } from './identity.errors';

@ApiTags('identity')
@Controller('api/v1/identity')
@RequireScopes('identity')
export class IdentityController {
  constructor(
    private readonly sessions: IdentitySessionsService,
    private readonly workers: VerifiedWorkerService,
  ) {}

  @Post('sessions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Start (or adopt the desk’s waiting) person–card–code verification session for a visit' })
  @ApiCreatedResponse({ type: SessionDto })
  async create(@Body() body: CreateSessionDto, @Req() req: FastifyRequest): Promise<SessionDto> {
    return this.sessions.create(principalOf(req), body);
  }

  @Get('sessions/:id')
  @ApiOperation({ summary: 'The session’s verdict, checks, what is missing, and the token when MATCH' })
  @ApiOkResponse({ type: SessionDto })
  async get(@Param('id') id: string): Promise<SessionDto> {
    return this.sessions.get(id);
  }

  @Post('sessions/:id/qr')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a scanned QR code (decoded online by the insurer, 1161)' })
  @ApiOkResponse({ type: SessionDto })
  async addQr(@Param('id') id: string, @Body() body: AddQrDto, @Req() req: FastifyRequest): Promise<SessionDto> {
    return this.sessions.addQr(id, body.text, principalOf(req));
  }

  @Post('sessions/:id/staff-confirmation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a staff member’s visual confirmation of the person (who and when)' })
  @ApiOkResponse({ type: SessionDto })
  async confirm(
    @Param('id') id: string,
    @Body() body: StaffConfirmationDto,
    @Req() req: FastifyRequest,
  ): Promise<SessionDto> {
    return this.sessions.addStaffConfirmation(id, confirmingStaff(body, req), principalOf(req));
  }

  @Get('doctor-view')
  @ApiHeader({ name: 'x-verification-token', required: true, description: 'The verification token of a MATCH' })
  @ApiOperation({
    summary: 'Doctor view: the worker’s determination, injured body part or occupational disease, category',
  })
  @ApiOkResponse({ type: DoctorViewDto })
  async doctorView(
    @Headers('x-verification-token') token: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<DoctorViewDto> {
    return this.workers.doctorView(token, principalOf(req));
  }

  @Post('doctor-view')
  @HttpCode(200)
  @ApiOperation({ summary: 'Doctor view, with the token in the body' })
  @ApiOkResponse({ type: DoctorViewDto })
  async doctorViewPost(@Body() body: DoctorViewRequestDto, @Req() req: FastifyRequest): Promise<DoctorViewDto> {
    return this.workers.doctorView(body.token, principalOf(req));
  }
}

/**
 * Who confirmed the person. Signed in at the console, it is the staff member themselves (their login and
 * name), whatever the page sends: a body naming someone else is refused. With an API key, HIS names them.
 */
function confirmingStaff(body: StaffConfirmationDto, req: FastifyRequest): { staffId: string; staffName: string } {
  const staff = req.staff;
  if (staff !== undefined) {
    const other =
      (body.staffId !== undefined && body.staffId !== staff.login) ||
      (body.staffName !== undefined && body.staffName !== staff.displayName);
    if (other) {
      throw IDENTITY_ERRORS.raise('STAFF_CONFIRMATION_NOT_SELF');
    }
    return { staffId: staff.login, staffName: staff.displayName };
  }
  if (body.staffId === undefined || body.staffName === undefined) {
    throw IDENTITY_ERRORS.raise('STAFF_CONFIRMATION_WHO_MISSING');
  }
  return { staffId: body.staffId, staffName: body.staffName };
}
