import { GatewayConfig } from './gateway-config';
import { loadConfig, LoadedConfig, sandboxConfigFile } from './config-loader';
import type { GatewayFeature } from '../gateway-feature';

export interface ConfigSelection {
  /** --config <file> on the command line. */
  configFile?: string;
  /** --sandbox: use config/sandbox.yaml (what `npm start` does). */
  sandbox: boolean;
}

/**
 * Which overlay a process uses: --config wins, then GATEWAY_CONFIG, then --sandbox.
 * With none, the gateway runs on config/default.yaml and GW_* variables alone.
 */
export function selectOverlay(selection: ConfigSelection, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return selection.configFile ?? env.GATEWAY_CONFIG ?? (selection.sandbox ? sandboxConfigFile() : undefined);
}

export function loadStartupConfig(
  selection: ConfigSelection,
  features: readonly GatewayFeature[],
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  return loadConfig({ overlayFile: selectOverlay(selection, env), env, features });
}

export type { GatewayConfig };
