import PDFDocument from 'pdfkit';
import { ErrorDetail, ValidationFailedError } from '../../platform';
import { FORM_ERRORS, FormCharacterError } from '../forms.errors';
import type { FormKindSpec } from '../kinds/form-kinds';
import { bundledFontPath, FormFont } from './form-font';
import { FormValues } from './form-values';
import { FormLayout, layoutForm, PageLayout } from './layout';
import { FormTemplate, placeholders } from './template';

export interface RenderRequest {
  /** The template drawn: a form kind's, or any other document's (the settlement statement). */
  spec: Pick<FormKindSpec, 'template'>;
  values: FormValues;
  /** Relapse only: the relapse is disputed; the PDF says so where the form provides (劳动能力鉴定机构意见 row / 备注 3). */
  disputed?: boolean;
  /** Further flags the template's `whenFlag` texts and blocks test (e.g. 'provisional'). */
  flags?: readonly string[];
  /** The worker's handwritten signature (PNG bytes) placed in the template's signature box, with the date. */
  signature?: { png: Buffer; date: string /* YYYY-MM-DD */ };
  /** Small print at the page foot, e.g. '表单编号 F… 第2版（更正第1版）'; also marks a draft preview ('草稿'). */
  footer?: string;
  /** The PDF's CreationDate/ModDate (default: now). Fixed dates make the output byte-for-byte repeatable. */
  createdAt?: Date;
}

export interface FontOptions {
  /** System font file (TTF/OTF/TTC); default: the npm-provided font. */
  fontPath?: string;
}

function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Every text the page will show, with where it comes from: a field key, `items[2].name`, `template`, `footer`. */
function textsToCheck(template: FormTemplate, request: RenderRequest): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  for (const field of template.fields) {
    const value = request.values[field.key];
    if (typeof value === 'string') {
      out.push({ field: field.key, text: value });
    } else if (Array.isArray(value)) {
      value.forEach((row, i) => {
        for (const col of field.columns ?? []) {
          const v = row?.[col.key];
          if (typeof v === 'string') {
            out.push({ field: `${field.key}[${i}].${col.key}`, text: v });
          }
        }
      });
    }
  }
  // Fixed texts of the template, without their placeholders (those are the values above).
  const fixed = (text: string | undefined): void => {
    if (text) {
      let rest = text;
      for (const p of placeholders(text)) {
        rest = rest.replace(p.raw, '');
      }
      out.push({ field: 'template', text: rest });
    }
  };
  fixed(template.title);
  fixed(template.pagination?.pageNumber);
  template.headerLines.forEach((l) => fixed(l.text));
  template.footerTexts.forEach((l) => fixed(l.text));
  for (const row of template.rows) {
    for (const cell of row.cells) {
      fixed(cell.label);
      fixed(cell.text);
      fixed(cell.separator);
      for (const b of cell.blocks ?? []) {
        fixed(b.text);
        fixed(b.signature?.after);
      }
    }
  }
  // The digits and 年月日 of formatted dates and sums.
  fixed('0123456789. 年月日');
  if (request.footer) {
    out.push({ field: 'footer', text: request.footer });
  }
  return out;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Draws any form template with pdfkit onto one A4 page (or, for a paginated template, as many as
 * its table needs), with one embedded subset font. Knows no
 * specific form: what goes where is the template's (see template.ts and docs/forms.md).
 */
export class FormRenderer {
  readonly font: FormFont;

  constructor(options?: FontOptions) {
    this.font = new FormFont(options?.fontPath ? options.fontPath : bundledFontPath());
  }

  /** Every character of every value and fixed text the font cannot draw, one detail per field+character. */
  missingCharacters(template: FormTemplate, request: Pick<RenderRequest, 'values' | 'footer'>): ErrorDetail[] {
    const details: ErrorDetail[] = [];
    for (const { field, text } of textsToCheck(template, request as RenderRequest)) {
      const seen = new Set<number>();
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        if (ch === '\n' || ch === '\t' || seen.has(cp)) {
          continue;
        }
        seen.add(cp);
        if (!this.font.has(cp)) {
          const label = codePointLabel(cp);
          details.push(
            FORM_ERRORS.detail('CHAR_NOT_IN_FONT', {
              field,
              message: `字符“${ch}”(${label}) 不在表单字体（${this.font.postscriptName}）中，无法打印；请改用通用写法，或配置含此字的字体`,
              context: { char: ch, codePoint: label },
            }),
          );
        }
      }
    }
    return details;
  }

  /** The layout model of a filled form (what render draws), for checks and tests. */
  layout(request: RenderRequest): FormLayout {
    return layoutForm(
      {
        template: request.spec.template,
        values: request.values,
        flags: new Set([...(request.disputed ? ['disputed'] : []), ...(request.flags ?? [])]),
        signatureDate: request.signature?.date,
        footer: request.footer,
      },
      this.font,
    );
  }

  /** Throws FormCharacterError before drawing anything when a character cannot be drawn with the font. */
  async render(request: RenderRequest): Promise<Buffer> {
    const template = request.spec.template;
    const missing = this.missingCharacters(template, request);
    if (missing.length > 0) {
      throw new FormCharacterError(missing);
    }
    if (request.signature) {
      const bad: ErrorDetail[] = [];
      if (!DATE.test(request.signature.date)) {
        bad.push(
          FORM_ERRORS.detail('FORM_FIELD_INVALID', {
            field: 'signature.date',
            message: '签名日期必须是 YYYY-MM-DD 格式',
          }),
        );
      }
      if (!request.signature.png.subarray(0, 8).equals(PNG_MAGIC)) {
        bad.push(FORM_ERRORS.detail('FORM_SIGNATURE_NOT_PNG', { field: 'signature.png' }));
      }
      if (bad.length > 0) {
        throw new ValidationFailedError(bad);
      }
    }
    const layout = this.layout(request);
    const created = request.createdAt ?? new Date();
    const doc = new PDFDocument({
      size: 'A4',
      margin: 0,
      compress: true,
      info: {
        Title: template.title,
        Creator: 'ningxia-gongshang-gateway',
        Producer: 'ningxia-gongshang-gateway',
        CreationDate: created,
        ModDate: created,
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    if (this.font.collectionFace) {
      doc.registerFont('form', this.font.bytes, this.font.collectionFace);
    } else {
      doc.registerFont('form', this.font.bytes);
    }
    doc.font('form');
    layout.pages.forEach((page, i) => {
      if (i > 0) {
        doc.addPage({ size: 'A4', margin: 0 });
        doc.font('form');
      }
      this.draw(doc, page, request);
    });
    doc.end();
    return done;
  }

  private draw(doc: PDFKit.PDFDocument, layout: PageLayout, request: RenderRequest): void {
    const text = (l: { x: number; y: number; size: number; text: string }): void => {
      if (l.text !== '') {
        doc.fontSize(l.size).text(l.text, l.x, l.y, { lineBreak: false, lineGap: 0 });
      }
    };
    layout.title.forEach(text);
    layout.header.forEach(text);
    doc.lineWidth(0.7).strokeColor('#000000');
    for (const frame of layout.frames) {
      doc.rect(frame.x, frame.y, frame.w, frame.h).stroke();
    }
    for (const cell of layout.cells) {
      doc.rect(cell.rect.x, cell.rect.y, cell.rect.w, cell.rect.h).stroke();
    }
    for (const cell of layout.cells) {
      cell.lines.forEach(text);
    }
    if (request.signature) {
      for (const box of layout.signatureBoxes) {
        try {
          doc.image(request.signature.png, box.x, box.y, { fit: [box.w, box.h], align: 'center', valign: 'center' });
        } catch (err) {
          throw FORM_ERRORS.raise('FORM_SIGNATURE_INVALID', {
            details: [
              FORM_ERRORS.detail('FORM_SIGNATURE_INVALID', {
                field: 'signature.png',
                message: `PNG 无法解码：${err instanceof Error ? err.message : String(err)}`,
              }),
            ],
          });
        }
      }
    }
    layout.footerTexts.forEach(text);
    layout.footer.forEach(text);
  }
}
