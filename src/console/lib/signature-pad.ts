/**
 * The framework-free part of the on-screen signature pad (components/SignaturePad.vue): strokes
 * as the pointer gave them, the line width from the pen's pressure, the smoothed path to draw,
 * whether anything was signed at all, the box around the ink (the PNG sent is cropped to it, so
 * the signature fills the form's signature box), and the Base64 of the PNG without its data-URL prefix.
 */

export interface StrokePoint {
  x: number;
  y: number;
  /** PointerEvent.pressure: 0…1; a mouse with a button down reports 0.5. */
  pressure: number;
}

export type Stroke = StrokePoint[];

/** One piece of a smoothed stroke: a quadratic curve from `from` through `control` to `to`. */
export interface PathSegment {
  from: { x: number; y: number };
  control: { x: number; y: number };
  to: { x: number; y: number };
  width: number;
}

/** Below this much ink (CSS pixels of path) the pad counts as empty: a tap or a slip is no signature. */
export const MIN_INK_LENGTH = 12;

/**
 * The line width for a pressure: `base` at the mouse's 0.5, thinner for a light pen, thicker
 * for a hard one (0.5×…1.5× base). A pointer without pressure (0, e.g. some touch screens) draws `base`.
 */
export function strokeWidth(pressure: number, base = 2.5): number {
  if (!Number.isFinite(pressure) || pressure <= 0) {
    return base;
  }
  const p = Math.min(1, pressure);
  return Math.round(base * (0.5 + p) * 100) / 100;
}

function mid(a: StrokePoint, b: StrokePoint): { x: number; y: number } {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * A stroke as quadratic curves through the midpoints of its points (each point is a control
 * point), so a fast pen's sparse points still give a smooth line. The first segment starts at
 * the first point, the last ends at the last one. A single point gives one zero-length segment (a dot).
 */
export function smoothPath(stroke: Stroke, base = 2.5): PathSegment[] {
  if (stroke.length === 0) {
    return [];
  }
  if (stroke.length === 1) {
    const p = { x: stroke[0].x, y: stroke[0].y };
    return [{ from: p, control: p, to: p, width: strokeWidth(stroke[0].pressure, base) }];
  }
  if (stroke.length === 2) {
    const [a, b] = stroke;
    return [
      {
        from: { x: a.x, y: a.y },
        control: mid(a, b),
        to: { x: b.x, y: b.y },
        width: strokeWidth((a.pressure + b.pressure) / 2, base),
      },
    ];
  }
  const segments: PathSegment[] = [];
  let from = { x: stroke[0].x, y: stroke[0].y };
  for (let i = 1; i < stroke.length - 1; i++) {
    const to = i === stroke.length - 2 ? { x: stroke[i + 1].x, y: stroke[i + 1].y } : mid(stroke[i], stroke[i + 1]);
    segments.push({
      from,
      control: { x: stroke[i].x, y: stroke[i].y },
      to,
      width: strokeWidth(stroke[i].pressure, base),
    });
    from = to;
  }
  return segments;
}

/** The length of the polyline through a stroke's points. */
export function strokeLength(stroke: Stroke): number {
  let length = 0;
  for (let i = 1; i < stroke.length; i++) {
    length += Math.hypot(stroke[i].x - stroke[i - 1].x, stroke[i].y - stroke[i - 1].y);
  }
  return length;
}

/** True while the pad holds no signature: no strokes, or together less ink than MIN_INK_LENGTH. */
export function isPadEmpty(strokes: readonly Stroke[], minInk = MIN_INK_LENGTH): boolean {
  return strokes.reduce((sum, s) => sum + strokeLength(s), 0) < minInk;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The box around all ink, `margin` wider on every side (for the line width), kept inside the
 * pad (`width` × `height`); null when there are no points.
 */
export function inkBounds(strokes: readonly Stroke[], width: number, height: number, margin = 6): Box | null {
  const points = strokes.flat();
  if (points.length === 0) {
    return null;
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs) - margin));
  const y0 = Math.max(0, Math.floor(Math.min(...ys) - margin));
  const x1 = Math.min(width, Math.ceil(Math.max(...xs) + margin));
  const y1 = Math.min(height, Math.ceil(Math.max(...ys) + margin));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/**
 * The Base64 payload of a PNG data URL (`data:image/png;base64,…`), as SignFormDto.signaturePng
 * takes it (without the prefix). Anything else is refused: the gateway accepts PNG only.
 */
export function pngBase64OfDataUrl(dataUrl: string): string {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!match) {
    throw new Error('签名图片不是 PNG 格式，请重新签名');
  }
  return match[1];
}
