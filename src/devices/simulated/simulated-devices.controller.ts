import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, isLoopback, Public } from '../../platform';
import { DeviceRegistry } from '../device-registry';
import { DEVICE_ERRORS } from '../devices.errors';
import { SIMULATED_PEOPLE, SimulatedPeople } from './simulated-parts';
import { PluggedDto, PresentDto, PresentedDto } from './simulated-devices.dto';

/**
 * Sandbox mode only (the module is not loaded otherwise): what a person does at a device,
 * done for them: put an ID card on the reader, insert a social-security card, scan a code.
 * The simulated device answers the real driver with real bytes, so the read arrives as
 * events exactly as from hardware; unplug and replug take the device's port away and give it back,
 * and the driver reacts as to a pulled cable. Open without an API key for demos and the `simulate`
 * CLI, but only from this machine.
 */
@ApiTags('sandbox')
@Controller('api/v1/sandbox/devices')
export class SimulatedDevicesController {
  constructor(
    private readonly registry: DeviceRegistry,
    @Inject(SIMULATED_PEOPLE) private readonly people: SimulatedPeople,
  ) {}

  @Post(':id/present')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sandbox: present a seed person’s ID card or social-security card, or scan a code, at a simulated device',
  })
  @ApiOkResponse({ type: PresentedDto })
  async present(
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Body() body: PresentDto,
  ): Promise<PresentedDto> {
    const simulation = this.pluggedIn(this.simulation(request, id), id);
    if (simulation.kind === 'scanner') {
      if (body.text === undefined) {
        throw DEVICE_ERRORS.raise('SIMULATION_TEXT_MISSING');
      }
      await simulation.scan(body.text, body.aim);
      return { deviceId: id, kind: simulation.kind, presented: body.text };
    }
    const ref = body.person ?? 'activeFingers';
    const person = this.people.find(ref);
    if (person === undefined) {
      throw DEVICE_ERRORS.raise('SEED_PERSON_NOT_FOUND', {
        message: `沙箱中没有「${ref}」：可用的人员 ${this.people.roles().join('、')}，或其身份证号、个人编号`,
      });
    }
    if (simulation.kind === 'id-card') {
      simulation.present(person.idCard());
    } else {
      const { card, generation } = person.ssseCard();
      try {
        simulation.insert(card, generation);
      } catch (e) {
        throw DEVICE_ERRORS.raise('SIMULATION_CARD_INVALID', {
          message: `无法为「${ref}」制作模拟社保卡：${(e as Error).message}`,
        });
      }
    }
    return { deviceId: id, kind: simulation.kind, presented: person.name };
  }

  @Post(':id/remove')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Sandbox: take the card away from a simulated reader' })
  @ApiOkResponse({ type: PresentedDto })
  remove(@Req() request: FastifyRequest, @Param('id') id: string): PresentedDto {
    const simulation = this.pluggedIn(this.simulation(request, id), id);
    if (simulation.kind === 'scanner') {
      throw DEVICE_ERRORS.raise('SIMULATION_NOTHING_TO_REMOVE');
    }
    simulation.remove();
    return { deviceId: id, kind: simulation.kind, presented: null };
  }

  /**
   * Pull the simulated device's cable: its port (or PC/SC reader) goes away under the real driver,
   * which reports disconnected and keeps trying to reopen it, as for hardware.
   */
  @Post(':id/unplug')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sandbox: unplug a simulated device (its port or reader goes away; the driver reports disconnected)',
  })
  @ApiOkResponse({ type: PluggedDto })
  unplug(@Req() request: FastifyRequest, @Param('id') id: string): PluggedDto {
    const simulation = this.simulation(request, id);
    if (!simulation.isPlugged()) {
      throw DEVICE_ERRORS.raise('SIMULATION_ALREADY_UNPLUGGED', { message: `模拟设备「${id}」已经是拔出状态` });
    }
    simulation.unplug();
    return { deviceId: id, kind: simulation.kind, plugged: false };
  }

  /** Plug it in again: the driver finds the port at its next reconnect attempt and works again by itself. */
  @Post(':id/replug')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Sandbox: plug an unplugged simulated device in again (the driver reconnects by itself)' })
  @ApiOkResponse({ type: PluggedDto })
  replug(@Req() request: FastifyRequest, @Param('id') id: string): PluggedDto {
    const simulation = this.simulation(request, id);
    if (simulation.isPlugged()) {
      throw DEVICE_ERRORS.raise('SIMULATION_ALREADY_PLUGGED', { message: `模拟设备「${id}」已经插好，无需插回` });
    }
    simulation.replug();
    return { deviceId: id, kind: simulation.kind, plugged: true };
  }

  private pluggedIn<T extends { isPlugged(): boolean }>(simulation: T, id: string): T {
    if (!simulation.isPlugged()) {
      throw DEVICE_ERRORS.raise('SIMULATION_UNPLUGGED', {
        message: `模拟设备「${id}」已拔出：请先插回（POST /api/v1/sandbox/devices/${id}/replug，或 gateway simulate replug ${id}）`,
      });
    }
    return simulation;
  }

  private simulation(request: FastifyRequest, id: string): NonNullable<ReturnType<DeviceRegistry['simulation']>> {
    if (!isLoopback(request.ip)) {
      throw new ForbiddenError('AUTH_IP_NOT_ALLOWED', '模拟设备只能在本机操作');
    }
    this.registry.require(id);
    const simulation = this.registry.simulation(id);
    if (simulation === undefined) {
      throw DEVICE_ERRORS.raise('DEVICE_NOT_SIMULATED', { message: `设备「${id}」是真实设备，不能模拟操作` });
    }
    return simulation;
  }
}
