import { ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { ErrorDetail, ValidationFailedError } from './domain-error';

/** Chinese wording for the class-validator constraints our DTOs use; the English constraint name stays as `code`. */
const CONSTRAINT_MESSAGES: Record<string, string> = {
  whitelistValidation: '不允许的字段，请删除',
  isString: '必须是字符串',
  isNotEmpty: '不能为空',
  isInt: '必须是整数',
  isIn: '取值不在允许范围内',
  isArray: '必须是数组',
  isBoolean: '必须是 true 或 false',
  isIP: '必须是 IP 地址',
  matches: '格式不正确',
  length: '长度不符合要求',
  maxLength: '过长',
  minLength: '过短',
  min: '过小',
  max: '过大',
  arrayNotEmpty: '至少需要一项',
  arrayMaxSize: '项数过多',
  isEnum: '取值不在允许范围内',
  nestedValidation: '必须是对象',
};

export function validationErrorsToDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    for (const [code, english] of Object.entries(error.constraints ?? {})) {
      // DTO authors may write a Chinese message themselves; keep it when they did.
      const ownMessage = /[\u4e00-\u9fff]/.test(english) ? english : undefined;
      details.push({ field, code, message: ownMessage ?? CONSTRAINT_MESSAGES[code] ?? '取值无效' });
    }
    details.push(...validationErrorsToDetails(error.children ?? [], field));
  }
  return details;
}

type RuleStorage = ReturnType<typeof getMetadataStorage>;
type Rules = ReturnType<RuleStorage['getTargetValidationMetadatas']>;
const remembering = new WeakSet<RuleStorage>();

/**
 * class-validator looks a DTO's rules up on every validation by testing the DTO against every class
 * that has rules (`instanceof`, for inherited ones) — a few per cent of an API request's CPU, for
 * an answer that does not change once the classes are loaded. This keeps the answers per class and
 * options, and drops them all whenever a rule is added (a class defined later). class-validator
 * only reads the arrays it gets back. Idempotent.
 */
export function rememberValidationRules(storage: RuleStorage = getMetadataStorage()): void {
  if (remembering.has(storage)) {
    return;
  }
  remembering.add(storage);
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const addValidation = storage.addValidationMetadata.bind(storage);
  const addConstraint = storage.addConstraintMetadata.bind(storage);
  let answers = new Map<unknown, Map<string, Rules>>();
  storage.addValidationMetadata = (metadata) => {
    answers = new Map();
    addValidation(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    answers = new Map();
    addConstraint(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // class-validator treats no groups and an empty list alike.
    const options = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = answers.get(target);
    if (!byOptions) {
      byOptions = new Map();
      answers.set(target, byOptions);
    }
    let rules = byOptions.get(options);
    if (!rules) {
      rules = lookUp(target, schema, always, strictGroups, groups);
      byOptions.set(options, rules);
    }
    return rules;
  };
}

/** The ValidationPipe every controller gets: unknown fields refused, each bad field listed. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationRules();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Values are never echoed back: they may be personal data.
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => new ValidationFailedError(validationErrorsToDetails(errors)),
  });
}
