import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ErrorDetail } from '../../platform';
import { FORM_ERRORS, FormCharacterError } from '../forms.errors';
import { FormRenderer } from '../render/form-renderer';
import { validateFormValues } from '../render/form-values';
import type { FormTemplate } from '../render/template';
import { loadTemplate } from '../render/template-parser';
import type { SettlementStatementData } from './settlement-statement-data';
import { checkStatementData, dataPathOf, statementValues } from './statement-values';

/** The template file (templates/settlement-statement.json). */
export const SETTLEMENT_STATEMENT_TEMPLATE = 'settlement-statement';

export interface RenderedStatement {
  /** The PDF: A4, as many pages as the fee lines need. */
  pdf: Buffer;
  /** SHA-256 of `pdf`, lower-case hex: what the settlement record keeps beside the file. */
  sha256: string;
}

/**
 * The settlement statement (费用结算单) as a PDF, for the settlement step to keep with the settlement
 * record (or hand the desk as a provisional statement). Not a form kind: nothing to sign, nothing for
 * HIS to create, no 9101 upload of its own (see docs/forms.md). It draws
 * templates/settlement-statement.json with the forms' renderer and font.
 */
@Injectable()
export class SettlementStatementRenderer {
  /** Read and checked once, when the renderer is made: a broken template stops the gateway at start. */
  private readonly template: FormTemplate = loadTemplate(SETTLEMENT_STATEMENT_TEMPLATE);

  constructor(private readonly renderer: FormRenderer) {}

  /**
   * The statement's PDF and its SHA-256. The same data gives the same bytes (the PDF is dated
   * `settledAt`). Refuses, before drawing: data that is incomplete or does not add up (500
   * STATEMENT_DATA_INVALID, one detail per problem), a character the font lacks (400
   * FORM_CHARACTER_NOT_IN_FONT, fields named by their path in the data, e.g. `worker.name`).
   */
  async render(data: SettlementStatementData): Promise<RenderedStatement> {
    const problems = checkStatementData(data);
    if (problems.length > 0) {
      throw invalid(problems);
    }
    const { values, flags } = statementValues(data);
    const spec = { template: this.template };
    const unfit = validateFormValues(spec, values);
    if (unfit.length > 0) {
      throw invalid(
        unfit.map((d) =>
          FORM_ERRORS.detail('STATEMENT_DATA_INVALID', { field: dataPathOf(d.field ?? ''), message: d.message }),
        ),
      );
    }
    const missing = this.renderer.missingCharacters(this.template, { values });
    if (missing.length > 0) {
      throw new FormCharacterError(missing.map((d) => ({ ...d, field: dataPathOf(d.field ?? '') })));
    }
    const pdf = await this.renderer.render({ spec, values, flags, createdAt: data.settledAt });
    return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') };
  }
}

function invalid(details: ErrorDetail[]): Error {
  return FORM_ERRORS.raise('STATEMENT_DATA_INVALID', {
    message: `费用结算单的数据不完整或金额不平，无法出具：${details
      .slice(0, 3)
      .map((d) => `${d.field} ${d.message}`)
      .join('；')}${details.length > 3 ? ` 等 ${details.length} 项` : ''}。请联系信息科`,
    details,
  });
}
