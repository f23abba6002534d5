import { ConflictError } from '../platform/errors/domain-error';

/** Every write to a signed version is refused: a signed form is corrected by a new version. */
export class FormSignedImmutableError extends ConflictError {
  constructor(formNo: string, version: number, status: string) {
    super(
      'FORM_SIGNED_IMMUTABLE',
      `表单 ${formNo} 第${version}版已签署（状态 ${status}），不能再修改或重新签署；如需更正，请提交更正（POST /api/v1/forms/{id}/corrections），生成新版本`,
    );
  }
}
