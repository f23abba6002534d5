/**
 * Personal data must never reach a log line (ARCHITECTURE.md: "never written to logs").
 * Redaction works on the final serialised line, so it covers every place a value can hide:
 * structured fields at any depth, messages, error texts and request/response dumps.
 *
 * Three layers:
 *  1. fields whose key names personal data (name, idNumber, phone, address, …) lose their value;
 *  2. patterns: resident ID numbers (18 and 15 digits), mobile and landline numbers, and
 *     labelled names (姓名：张三, name=…) inside free text;
 *  3. values seen in the current request (see PiiValueRegistry): a patient's name harvested from
 *     the request body is removed wherever it appears later in that request's log lines.
 */

export const REDACTED = '[REDACTED]';

/** Keys (compared lower-case, without _ and -) whose string values are personal or secret. */
const SENSITIVE_KEYS = new Set([
  'name',
  'fullname',
  'patientname',
  'psnname',
  'workername',
  'personname',
  'xm',
  '姓名',
  'namext',
  'nameextension',
  'signername',
  'idnumber',
  'idno',
  'idcard',
  'idcardno',
  'certno',
  'psncertno',
  'sfzh',
  'socialsecuritynumber',
  'ssn',
  'cardno',
  'phone',
  'mobile',
  'tel',
  'telephone',
  'phonenumber',
  'mobilephone',
  'contactphone',
  'tel1',
  'tel2',
  '电话',
  '手机',
  'address',
  'addr',
  'homeaddress',
  '住址',
  '地址',
  'authorization',
  'cookie',
  'setcookie',
  'password',
  'secret',
  'apikey',
  'token',
  'xapikey',
]);

/** Keys that end in "name" but never hold a person's name. */
const NON_PERSON_NAME_KEYS = new Set([
  'hostname',
  'filename',
  'routename',
  'servicename',
  'keyname',
  'institutionname',
  'fixmedinsname',
]);

/**
 * Answers for the keys seen so far: every log line names the same few dozen keys, so the
 * normalisation below runs once per key rather than once per key per line. Cleared when it
 * grows past a bound (request bodies logged at debug may bring arbitrary keys).
 */
const SENSITIVE_KEY_ANSWERS = new Map<string, boolean>();
const MAX_KEY_ANSWERS = 5000;

export function isSensitiveKey(key: string): boolean {
  const known = SENSITIVE_KEY_ANSWERS.get(key);
  if (known !== undefined) {
    return known;
  }
  const k = key.toLowerCase().replace(/[_-]/g, '');
  const answer = SENSITIVE_KEYS.has(k) || (k.endsWith('name') && !NON_PERSON_NAME_KEYS.has(k));
  if (SENSITIVE_KEY_ANSWERS.size >= MAX_KEY_ANSWERS) {
    SENSITIVE_KEY_ANSWERS.clear();
  }
  SENSITIVE_KEY_ANSWERS.set(key, answer);
  return answer;
}

// A JSON string member: "key":"value" (value may contain escaped quotes).
const JSON_STRING_MEMBER = /"((?:[^"\\]|\\.){1,64})":"((?:[^"\\]|\\.)*)"/g;
// 18-digit resident ID (GB 11643): region, birth date 18xx-20xx, sequence, check.
const ID18 =
  /(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])/g;
// 15-digit first-generation ID: region, YYMMDD, sequence.
const ID15 = /(?<![0-9A-Za-z])[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])/g;
// Mainland mobile numbers, optionally with +86 / 86.
const MOBILE = /(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])/g;
// Landlines with an area code: 0951-1234567, 0951 12345678.
const LANDLINE = /(?<![0-9A-Za-z])0\d{2,3}[- ]\d{7,8}(?![0-9A-Za-z])/g;
// A name labelled in free text: 姓名：张三, 姓名=张三, name: Zhang San.
const LABELLED_NAME = /(姓名|患者|职工|name)(\s*[:：=]\s*)(?!\[)([^\s",，。;；:：&?#[\]\\]{1,20})/gi;

// Every ID and phone pattern above contains a run of at least 7 digits, and every labelled name
// one of its labels: a text without them is left as it is without running the five patterns.
const SEVEN_DIGITS = /\d{7}/;
const NAME_LABEL = /姓名|患者|职工|name/i;

export function scrubText(text: string): string {
  let out = text;
  if (SEVEN_DIGITS.test(out)) {
    out = scrubNumbers(out);
  }
  return NAME_LABEL.test(out) ? scrubLabelledNames(out) : out;
}

/** scrubText without the shortcuts (every pattern, every time): the spec checks that both agree. */
export function scrubTextEveryPattern(text: string): string {
  return scrubLabelledNames(scrubNumbers(text));
}

function scrubNumbers(text: string): string {
  return text.replace(ID18, '[ID]').replace(ID15, '[ID]').replace(MOBILE, '[PHONE]').replace(LANDLINE, '[PHONE]');
}

function scrubLabelledNames(text: string): string {
  return text.replace(LABELLED_NAME, (_m, label: string, sep: string) => `${label}${sep}${REDACTED}`);
}

/** Redacts one serialised JSON log line. `known` are literal values to remove as well. */
export function redactLogLine(line: string, known?: Iterable<string>): string {
  let out = line.replace(JSON_STRING_MEMBER, (member, key: string) =>
    isSensitiveKey(key) ? `"${key}":"${REDACTED}"` : member,
  );
  if (known) {
    for (const value of known) {
      const escaped = JSON.stringify(value).slice(1, -1);
      if (escaped.length >= 2) {
        out = out.split(escaped).join(REDACTED);
      }
    }
  }
  return scrubText(out);
}

/**
 * Collects the personal values of a request body so they can be removed from later lines.
 * Values under sensitive keys are taken whole; everything else is left to the patterns.
 */
export function harvestSensitiveValues(body: unknown, into: Set<string>, depth = 0): void {
  if (depth > 8 || body === null || typeof body !== 'object') {
    return;
  }
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' && isSensitiveKey(key)) {
      const trimmed = value.trim();
      if (trimmed.length >= 2) {
        into.add(trimmed);
      }
    } else if (typeof value === 'object') {
      harvestSensitiveValues(value, into, depth + 1);
    }
  }
}

/**
 * A request URL fit for a log line: query values under sensitive keys are replaced, the
 * rest decoded so the patterns above can see (and scrub) ID numbers and phones in them.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) {
    return url;
  }
  const params = new URLSearchParams(url.slice(q + 1));
  const parts: string[] = [];
  params.forEach((value, key) => {
    parts.push(`${key}=${isSensitiveKey(key) ? REDACTED : scrubText(value)}`);
  });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
