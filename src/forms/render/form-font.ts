import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TextMeasurer } from './text-fit';

/**
 * The bundled font: Noto Sans Hans Regular (OFL-1.1) from the npm package @embedpdf/fonts-sc, so a
 * fresh `npm install` provides it. One OTF (CFF outlines) with ~30 900 glyphs: GB 2312 levels 1+2,
 * all of CJK Unified Ideographs U+4E00–U+9FA5 and Extension A (U+3400–U+4DB5), which holds rare
 * surname characters such as 㛃 䶮; pdfkit embeds a subset of it (only the glyphs a form uses).
 */
export function bundledFontPath(): string {
  // The package's entry lives in dist/; the fonts sit beside it (its `files` ship fonts/*.otf).
  return join(dirname(require.resolve('@embedpdf/fonts-sc')), '..', 'fonts', 'NotoSansHans-Regular.otf');
}

/** A font the renderer draws with: the file bytes pdfkit embeds and the fontkit face used to check and measure. */
export class FormFont implements TextMeasurer {
  readonly bytes: Buffer;
  readonly face: fontkit.Font;
  readonly postscriptName: string;
  /** For a collection (TTC) only: the face's postscript name, which pdfkit needs to pick it (a single font must not get one: fontkit would read it as a variation). */
  readonly collectionFace?: string;
  private readonly advance = new Map<number, number>();
  private readonly lineFactor: number;

  constructor(readonly path: string) {
    try {
      this.bytes = readFileSync(path);
    } catch (err) {
      throw new Error(
        `forms.fontPath: cannot read the font file ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    let opened: fontkit.Font | fontkit.FontCollection;
    try {
      opened = fontkit.create(this.bytes);
    } catch (err) {
      throw new Error(
        `forms.fontPath: ${path} is not a TTF/OTF/TTC font fontkit can read: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    // A collection holds several faces; the first is the regular one in the usual system TTCs.
    this.face = 'fonts' in opened ? opened.fonts[0] : opened;
    this.postscriptName = this.face.postscriptName;
    this.collectionFace = 'fonts' in opened ? this.face.postscriptName : undefined;
    this.lineFactor = (this.face.ascent - this.face.descent + this.face.lineGap) / this.face.unitsPerEm;
  }

  has(codePoint: number): boolean {
    return this.face.hasGlyphForCodePoint(codePoint);
  }

  width(text: string, size: number): number {
    let units = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let a = this.advance.get(cp);
      if (a === undefined) {
        a = this.face.glyphForCodePoint(cp).advanceWidth;
        this.advance.set(cp, a);
      }
      units += a;
    }
    return (units / this.face.unitsPerEm) * size;
  }

  lineHeight(size: number): number {
    return this.lineFactor * size;
  }
}
