/**
 * Which configuration values are secrets, and the configuration as it may be shown (GET
 * /api/v1/admin/config): every secret masked. Two rules decide, so that a secret added later is
 * masked by default:
 *  1. declared: `@Secret()` on a config class property (the whole value, whatever its shape, is
 *     masked; for a URL only its password: `@Secret('url-password')`);
 *  2. a safety net on the key's name: anything that looks secret (password, secret, token,
 *     credential, passphrase, private anywhere; …token, …keyring, …key(s) but not …publicKey, …) is masked whole, unless
 *     the name says the value is where something is (…File, …Path, …Dir): a path is not a secret.
 * Besides, the password of any URL-looking text (`scheme://user:password@host`) and secret-named
 * query parameters in it are masked wherever they appear.
 */

export const MASKED = '●●●●';

/** `none`: declared not secret, although its name looks it (see NotSecret). */
export type SecretKind = 'whole' | 'url-password' | 'none';

const declared = new WeakMap<object, Map<string, SecretKind>>();

/** Marks a config property as secret: it is never shown, only that it is set. */
export function Secret(kind: SecretKind = 'whole'): PropertyDecorator {
  return (prototype: object, property: string | symbol) => {
    let props = declared.get(prototype);
    if (!props) {
      props = new Map();
      declared.set(prototype, props);
    }
    props.set(String(property), kind);
  };
}

/**
 * Marks a config property whose name looks secret to the safety net but whose value is not one (a
 * limit per API key, a section about keys): shown as it is.
 */
export function NotSecret(): PropertyDecorator {
  return Secret('none');
}

/** The declared kind of `key` on this config object (looked up along its prototype chain), if any. */
export function declaredSecret(holder: object, key: string): SecretKind | undefined {
  for (
    let proto: object | null = Object.getPrototypeOf(holder) as object | null;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const kind = declared.get(proto)?.get(key);
    if (kind) {
      return kind;
    }
  }
  return undefined;
}

const SECRET_NAME =
  /(passwd|pwd|token|tokens|keyring|privatekey|cookie|salt|hmac|(?<!public)keys?)$|password|passphrase|secret|credential|private/i;
const LOCATION_NAME = /(file|path|dir|directory)$/i;

/** The safety net: a key whose name looks secret. */
export function looksSecret(key: string): boolean {
  return !LOCATION_NAME.test(key) && SECRET_NAME.test(key);
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)([^@/\s]*)@/gi;
const SECRET_QUERY = /([?&](?:[a-z0-9_-]*(?:password|passwd|pwd|secret|token|key|credential)[a-z0-9_-]*)=)([^&#\s]*)/gi;

/** Text with any URL password and secret-named query value masked; `masked` says whether anything was. */
export function maskUrlSecrets(text: string): { text: string; masked: boolean } {
  let masked = false;
  const out = text
    .replace(URL_USERINFO, (_m, head: string, password: string) => {
      if (password === '') {
        return `${head}@`;
      }
      masked = true;
      return `${head}${MASKED}@`;
    })
    .replace(SECRET_QUERY, (_m, head: string, value: string) => {
      if (value === '') {
        return head;
      }
      masked = true;
      return `${head}${MASKED}`;
    });
  return { text: out, masked };
}

const URL_WITH_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is;

/**
 * A declared URL: everything between the first ':' of the user-info and its last '@' is the
 * password (a password may hold '@' or ':'), then the rest as maskUrlSecrets.
 */
export function maskUrlPassword(url: string): { text: string; masked: boolean } {
  const m = URL_WITH_USERINFO.exec(url);
  if (!m) {
    return maskUrlSecrets(url);
  }
  const colon = m[2].indexOf(':');
  const hasPassword = colon >= 0 && colon < m[2].length - 1;
  const userinfo = hasPassword ? `${m[2].slice(0, colon)}:${MASKED}` : m[2];
  const rest = maskUrlSecrets(m[3]);
  return { text: `${m[1]}${userinfo}@${rest.text}`, masked: hasPassword || rest.masked };
}

/** Where a value came from: config/default.yaml, the overlay file, a GW_ variable, or a test's override. */
export const CONFIG_ORIGINS = ['default', 'file', 'env', 'override'] as const;
export type ConfigOrigin = (typeof CONFIG_ORIGINS)[number];

/** One leaf of the shown configuration. */
export interface ConfigLeaf {
  /** Dotted path, list items as [i]: `database.url`, `devices[0].id`. */
  path: string;
  /** The value (JSON), with secrets masked. */
  value: unknown;
  /** Part or all of the value is masked. */
  masked: boolean;
  origin: ConfigOrigin | null;
}

export interface MaskedConfig {
  /** The configuration tree with every secret masked. */
  tree: Record<string, unknown>;
  leaves: ConfigLeaf[];
}

/**
 * The configuration with its secrets masked, as a tree and as leaves. A masked value is MASKED when
 * it is set and '' (or null) when it is not, so IT can still see whether a secret is configured.
 */
export function maskConfig(config: object, origins?: ReadonlyMap<string, ConfigOrigin>): MaskedConfig {
  const leaves: ConfigLeaf[] = [];
  const originOf = (path: string): ConfigOrigin | null => (origins ? lookupOrigin(origins, path) : null);

  const walk = (value: unknown, path: string, secret: SecretKind | undefined): unknown => {
    if (secret === 'whole') {
      const shown = isUnset(value) ? (value ?? null) : MASKED;
      leaves.push({ path, value: shown, masked: shown === MASKED, origin: originOf(path) });
      return shown;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) {
        leaves.push({ path, value: [], masked: false, origin: originOf(path) });
        return [];
      }
      return value.map((item, i) => walk(item, `${path}[${i}]`, undefined));
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (entries.length === 0) {
        leaves.push({ path, value: {}, masked: false, origin: originOf(path) });
        return {};
      }
      const out: Record<string, unknown> = {};
      for (const [key, child] of entries) {
        const declaredKind = declaredSecret(value, key);
        const kind = declaredKind === 'none' ? undefined : (declaredKind ?? (looksSecret(key) ? 'whole' : undefined));
        out[key] = walk(child, path === '' ? key : `${path}.${key}`, kind);
      }
      return out;
    }
    if (typeof value === 'string') {
      const { text, masked } = secret === 'url-password' ? maskUrlPassword(value) : maskUrlSecrets(value);
      leaves.push({ path, value: text, masked, origin: originOf(path) });
      return text;
    }
    leaves.push({ path, value: value ?? null, masked: false, origin: originOf(path) });
    return value ?? null;
  };

  const tree = walk(config, '', undefined) as Record<string, unknown>;
  return { tree, leaves };
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * The origin recorded for the path or the nearest section above it (a whole list or section set at
 * once); for a section shown as one value (a masked secret), the latest origin of the values in it.
 */
export function lookupOrigin(origins: ReadonlyMap<string, ConfigOrigin>, path: string): ConfigOrigin | null {
  for (let p = path; p !== ''; p = parentPath(p)) {
    const found = origins.get(p);
    if (found) {
      return found;
    }
  }
  let latest: ConfigOrigin | null = null;
  for (const [known, origin] of origins) {
    if (
      (known.startsWith(`${path}.`) || known.startsWith(`${path}[`)) &&
      (latest === null || CONFIG_ORIGINS.indexOf(origin) > CONFIG_ORIGINS.indexOf(latest))
    ) {
      latest = origin;
    }
  }
  return latest;
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
