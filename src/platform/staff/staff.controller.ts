import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, RequireScopes } from '../auth/decorators';
import { principalOf } from '../auth/request-principal';
import { ErrorBodyDto } from '../errors/error-body';
import { clearedSessionCookie, CSRF_HEADER, sessionCookie, staffCookieOf } from './staff-cookie';
import { StaffSessionService } from './staff-session.service';
import {
  ChangeStaffPasswordDto,
  CreateStaffDto,
  DisableStaffDto,
  StaffLoginDto,
  StaffSessionDto,
  StaffViewDto,
  StaffWithPasswordDto,
} from './staff.dto';
import { StaffService } from './staff.service';

/** Behind TLS (directly, or a proxy the gateway trusts): the cookie is then sent over HTTPS only. */
function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The console's sign-in: the session cookie and its CSRF token (docs/console.md). */
@ApiTags('staff')
@Controller('api/v1/staff/session')
export class StaffSessionController {
  constructor(private readonly sessions: StaffSessionService) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in: sets the HttpOnly gw_staff cookie and answers the CSRF token' })
  @ApiOkResponse({ type: StaffSessionDto })
  @ApiUnauthorizedResponse({ description: 'STAFF_LOGIN_FAILED', type: ErrorBodyDto })
  @ApiResponse({ status: 423, description: 'STAFF_LOCKED', type: ErrorBodyDto })
  async login(
    @Body() body: StaffLoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StaffSessionDto> {
    const started = await this.sessions.login(body, req.ip);
    void reply.header('set-cookie', sessionCookie(started.cookieValue, started.maxAgeSeconds, secure(req)));
    void reply.header('cache-control', 'no-store');
    return StaffSessionDto.from(started.staff);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'The signed-in staff member and the session’s CSRF token' })
  @ApiOkResponse({ type: StaffSessionDto })
  @ApiUnauthorizedResponse({ description: 'STAFF_SESSION_MISSING', type: ErrorBodyDto })
  async current(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<StaffSessionDto> {
    const staff = await this.sessions.authenticate(staffCookieOf(req.headers.cookie), req.method, undefined, {
      allowPasswordChange: true,
    });
    void reply.header('cache-control', 'no-store');
    return StaffSessionDto.from(staff);
  }

  @Post('password')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Change your own password (needs x-csrf-token): your other sessions end, this one goes on; a wrong current password counts toward the lockout',
  })
  @ApiOkResponse({ type: StaffSessionDto })
  @ApiBadRequestResponse({
    description: 'STAFF_PASSWORD_CURRENT_WRONG, STAFF_PASSWORD_WEAK, STAFF_PASSWORD_REUSED',
    type: ErrorBodyDto,
  })
  @ApiUnauthorizedResponse({ description: 'STAFF_SESSION_MISSING', type: ErrorBodyDto })
  @ApiForbiddenResponse({ description: 'CSRF_TOKEN_INVALID', type: ErrorBodyDto })
  @ApiResponse({ status: 423, description: 'STAFF_LOCKED', type: ErrorBodyDto })
  async changePassword(
    @Body() body: ChangeStaffPasswordDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StaffSessionDto> {
    const staff = await this.sessions.changePassword(
      staffCookieOf(req.headers.cookie),
      req.headers[CSRF_HEADER],
      body,
      req.ip,
    );
    void reply.header('cache-control', 'no-store');
    return StaffSessionDto.from(staff);
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out (needs x-csrf-token): the session ends and the cookie is cleared' })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ description: 'STAFF_SESSION_MISSING', type: ErrorBodyDto })
  @ApiForbiddenResponse({ description: 'CSRF_TOKEN_INVALID', type: ErrorBodyDto })
  async logout(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.sessions.logout(staffCookieOf(req.headers.cookie), req.method, req.headers[CSRF_HEADER]);
    void reply.header('set-cookie', clearedSessionCookie(secure(req)));
  }
}

/** IT's management of staff accounts (also `gateway staff …`). Each change is audited. */
@ApiTags('staff')
@Controller('api/v1/staff')
@RequireScopes('admin')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @ApiOperation({ summary: 'Staff accounts (never their passwords)' })
  @ApiOkResponse({ type: [StaffViewDto] })
  async list(): Promise<StaffViewDto[]> {
    return (await this.staff.list()).map((u) => StaffViewDto.from(u));
  }

  @Post()
  @ApiOperation({ summary: 'Create a staff account; its generated password is in this response only' })
  @ApiCreatedResponse({ type: StaffWithPasswordDto })
  @ApiBadRequestResponse({ type: ErrorBodyDto })
  @ApiConflictResponse({ description: 'STAFF_LOGIN_TAKEN', type: ErrorBodyDto })
  async create(@Body() body: CreateStaffDto, @Req() req: FastifyRequest): Promise<StaffWithPasswordDto> {
    const { staff, password } = await this.staff.create(body, principalOf(req));
    return { staff: StaffViewDto.from(staff), password: password as string };
  }

  @Post(':id/reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new generated password (shown once); unlocks the account and ends its sessions' })
  @ApiOkResponse({ type: StaffWithPasswordDto })
  @ApiNotFoundResponse({ description: 'STAFF_NOT_FOUND', type: ErrorBodyDto })
  async reset(@Param('id') id: string, @Req() req: FastifyRequest): Promise<StaffWithPasswordDto> {
    const { staff, password } = await this.staff.reset(id, principalOf(req));
    return { staff: StaffViewDto.from(staff), password: password as string };
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable an account at once: its sessions end, its logins are refused' })
  @ApiOkResponse({ type: StaffViewDto })
  @ApiNotFoundResponse({ description: 'STAFF_NOT_FOUND', type: ErrorBodyDto })
  async disable(
    @Param('id') id: string,
    @Body() body: DisableStaffDto,
    @Req() req: FastifyRequest,
  ): Promise<StaffViewDto> {
    return StaffViewDto.from(await this.staff.disable(id, body.reason, principalOf(req)));
  }
}
