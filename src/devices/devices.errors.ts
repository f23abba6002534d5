import { errorCatalogue } from '../platform';

/** Every error code the devices capability (and its simulated-device controls) answers with. */
export const DEVICE_ERRORS = errorCatalogue('devices', {
  DEVICE_NOT_FOUND: { status: 404, message: '没有该编号的设备：请查看 GET /api/v1/devices' },
  DEVICE_NOT_ON_AGENT: {
    status: 409,
    message: '该设备不在这个桌面代理的工作站上（配置中 host: agent 且 desk 相同）：请检查网关的设备配置',
  },
  DEVICE_TEST_READ_FAILED: {
    status: 422,
    message: '测试读卡失败：请按提示检查设备的连接和设置后重试',
  },
  DEVICE_NOT_SIMULATED: { status: 400, message: '该设备是真实设备，不能模拟操作' },
  SIMULATION_TEXT_MISSING: { status: 400, message: '扫码枪需要 text：要扫的内容' },
  SIMULATION_NOTHING_TO_REMOVE: { status: 400, message: '扫码枪上没有可取走的卡片' },
  SIMULATION_CARD_INVALID: { status: 400, message: '无法制作模拟社保卡' },
  SIMULATION_UNPLUGGED: { status: 409, message: '模拟设备已拔出：请先插回（replug）再操作' },
  SIMULATION_ALREADY_UNPLUGGED: { status: 409, message: '模拟设备已经是拔出状态' },
  SIMULATION_ALREADY_PLUGGED: { status: 409, message: '模拟设备已经插好，无需插回' },
  SEED_PERSON_NOT_FOUND: { status: 404, message: '沙箱中没有该人员' },
});
