import type { DeviceState } from '../../../drivers/readers/device-status';
import { beijingDateTime } from '../../platform/agent-safe';
import type { AgentStatusView, LinkState } from './agent-state';

/** How often the page reloads itself, in seconds. */
export const STATUS_PAGE_REFRESH_SECONDS = 2;

const LINK_STATE_ZH: Readonly<Record<LinkState, string>> = {
  online: '在线',
  offline: '离线',
  connecting: '连接中',
  refused: '已被中心拒绝',
};

const DEVICE_STATE_ZH: Readonly<Record<DeviceState, string>> = {
  connecting: '连接中',
  connected: '已连接',
  waiting: '就绪，等待读卡',
  reading: '正在读取',
  'authentication-required': '需要认证',
  disconnected: '未连接',
  error: '故障',
};

const DEVICE_KIND_ZH: Readonly<Record<string, string>> = {
  'ssse-card': '社保卡读卡器',
  'id-card': '身份证阅读器',
  scanner: '扫码枪',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** yyyy-MM-dd HH:mm:ss in Beijing time (UTC+8, no daylight saving), as the desk reads clocks; the text itself if not a time. */
export function beijingTime(iso: string | null): string {
  if (iso === null) {
    return '—';
  }
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) {
    return iso;
  }
  return beijingDateTime(new Date(ms));
}

/**
 * The agent's status page for desk and IT staff, in Chinese: self-contained (no external assets, no
 * script: it reloads itself with a meta refresh), every value it prints escaped.
 */
export function renderStatusPage(view: AgentStatusView): string {
  const e = (v: string | number | null | undefined): string =>
    escapeHtml(v === null || v === undefined ? '—' : String(v));
  const link = view.link;
  const linkClass = link.state === 'online' ? 'ok' : link.state === 'refused' ? 'bad' : 'warn';
  const linkLines = [
    `<p class="state ${linkClass}">与中心的连接：<strong>${e(LINK_STATE_ZH[link.state] ?? link.state)}</strong>` +
      `（自 ${e(beijingTime(link.since))} 起）</p>`,
    link.state === 'refused'
      ? `<p class="bad">中心拒绝了本代理（${e(link.refusedCode)}）：请信息科重新生成登记码，在本机重新登记。</p>`
      : '',
    link.state !== 'online' && link.attempts > 0 ? `<p>连续失败 ${e(link.attempts)} 次。</p>` : '',
    link.nextAttemptAt !== null ? `<p>下次重试：${e(beijingTime(link.nextAttemptAt))}</p>` : '',
    link.lastError !== null ? `<p>最近的问题：${e(link.lastError)}</p>` : '',
  ].join('');
  const notice = view.offline.notice !== null ? `<div class="notice" role="alert">${e(view.offline.notice)}</div>` : '';
  const devices =
    view.devices.length === 0
      ? '<p>中心尚未给本工作站配置设备（或尚未连接过中心）。</p>'
      : `<table><thead><tr><th>设备</th><th>类型</th><th>端口</th><th>状态</th><th>说明</th><th>时间</th></tr></thead><tbody>${view.devices
          .map(
            (d) =>
              `<tr><td>${e(d.id)}</td><td>${e(DEVICE_KIND_ZH[d.kind] ?? d.kind)}</td><td>${e(d.path)}</td>` +
              `<td class="${d.state === 'error' || d.state === 'disconnected' ? 'bad' : ''}">${e(DEVICE_STATE_ZH[d.state] ?? d.state)}</td>` +
              `<td>${e(d.message)}</td><td>${e(beijingTime(d.at))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const refused =
    view.refusedDevices.length === 0
      ? ''
      : `<h2>无法运行的设备</h2><ul>${view.refusedDevices
          .map((d) => `<li class="bad">${e(d.id)}：${e(d.problem)}</li>`)
          .join('')}</ul>`;
  const off = view.offline;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${STATUS_PAGE_REFRESH_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>桌面代理状态 · ${e(view.desk)}</title>
<style>
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.ok{color:#1a7f37}.warn{color:#9a6700}.bad{color:#cf222e}.state{font-size:1.3em}
.notice{border:3px solid #cf222e;background:#fff1f0;padding:1em;font-size:1.2em;font-weight:bold;margin:1em 0}
.muted{color:#666;font-size:.9em}
</style></head><body>
<h1>工伤保险网关桌面代理</h1>
${notice}
<p>工作站：<strong>${e(view.desk)}</strong>&emsp;代理名称：<strong>${e(view.name)}</strong></p>
${linkLines}
<h2>设备</h2>
${devices}
${refused}
<h2>离线缓存</h2>
<p>待上传的扫码：${e(off.bufferedScans)} 条（缓存已用 ${e(off.journalFillPercent)}%）&emsp;暂存的读卡：${e(off.heldReads)} 条&emsp;未送达而丢弃的读卡：${e(off.droppedReads)} 条</p>
<p class="muted">中心：${e(view.central)}&emsp;代理编号：${e(view.agentId)}&emsp;版本：${e(view.agentVersion)}&emsp;进程：${e(view.pid)}&emsp;启动于 ${e(beijingTime(view.startedAt))}&emsp;状态更新于 ${e(beijingTime(view.updatedAt))}（北京时间；本页每 ${STATUS_PAGE_REFRESH_SECONDS} 秒自动刷新）</p>
</body></html>
`;
}
