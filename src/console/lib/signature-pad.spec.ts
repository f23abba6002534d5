import {
  inkBounds,
  isPadEmpty,
  MIN_INK_LENGTH,
  pngBase64OfDataUrl,
  smoothPath,
  strokeLength,
  strokeWidth,
} from './signature-pad';

const pt = (x: number, y: number, pressure = 0.5) => ({ x, y, pressure });

describe(strokeWidth.name, () => {
  it('draws the base width at a mouse’s 0.5, thinner for a light pen and thicker for a hard one', () => {
    expect(strokeWidth(0.5, 2)).toBe(2);
    expect(strokeWidth(0.1, 2)).toBe(1.2);
    expect(strokeWidth(1, 2)).toBe(3);
    expect(strokeWidth(1.7, 2)).toBe(3);
  });

  it('draws the base width for a pointer without pressure', () => {
    expect(strokeWidth(0, 2)).toBe(2);
    expect(strokeWidth(Number.NaN, 2)).toBe(2);
  });
});

describe(smoothPath.name, () => {
  it('joins the midpoints with curves whose control points are the pointer’s points, from the first to the last point', () => {
    const segments = smoothPath([pt(0, 0), pt(10, 0), pt(10, 10), pt(20, 10)], 2);
    expect(segments).toEqual([
      { from: { x: 0, y: 0 }, control: { x: 10, y: 0 }, to: { x: 10, y: 5 }, width: 2 },
      { from: { x: 10, y: 5 }, control: { x: 10, y: 10 }, to: { x: 20, y: 10 }, width: 2 },
    ]);
  });

  it('follows the pressure of each point', () => {
    const segments = smoothPath([pt(0, 0), pt(5, 5, 1), pt(10, 10, 0.1), pt(15, 15)], 2);
    expect(segments.map((s) => s.width)).toEqual([3, 1.2]);
  });

  it('draws a tap as a dot and two points as one curve', () => {
    expect(smoothPath([pt(3, 4)], 2)).toEqual([
      { from: { x: 3, y: 4 }, control: { x: 3, y: 4 }, to: { x: 3, y: 4 }, width: 2 },
    ]);
    expect(smoothPath([pt(0, 0), pt(4, 0)], 2)).toEqual([
      { from: { x: 0, y: 0 }, control: { x: 2, y: 0 }, to: { x: 4, y: 0 }, width: 2 },
    ]);
    expect(smoothPath([])).toEqual([]);
  });
});

describe(isPadEmpty.name, () => {
  it('is empty without strokes, with a tap, or with less ink than a short line', () => {
    expect(isPadEmpty([])).toBe(true);
    expect(isPadEmpty([[pt(5, 5)]])).toBe(true);
    expect(isPadEmpty([[pt(0, 0), pt(3, 4)]])).toBe(true);
    expect(strokeLength([pt(0, 0), pt(3, 4)])).toBe(5);
  });

  it('holds a signature once the strokes together carry enough ink', () => {
    expect(isPadEmpty([[pt(0, 0), pt(MIN_INK_LENGTH, 0)]])).toBe(false);
    expect(
      isPadEmpty([
        [pt(0, 0), pt(6, 0)],
        [pt(20, 20), pt(20, 26)],
      ]),
    ).toBe(false);
  });
});

describe(inkBounds.name, () => {
  it('boxes all ink with a margin, kept inside the pad', () => {
    expect(inkBounds([[pt(20, 30), pt(50, 40)], [pt(100, 10)]], 360, 160, 5)).toEqual({
      x: 15,
      y: 5,
      width: 90,
      height: 40,
    });
    expect(inkBounds([[pt(2, 2), pt(358, 158)]], 360, 160, 6)).toEqual({ x: 0, y: 0, width: 360, height: 160 });
  });

  it('is null without ink', () => {
    expect(inkBounds([], 360, 160)).toBeNull();
  });
});

describe(pngBase64OfDataUrl.name, () => {
  it('takes the Base64 payload of a PNG data URL', () => {
    expect(pngBase64OfDataUrl('data:image/png;base64,iVBORw0KGgo=')).toBe('iVBORw0KGgo=');
  });

  it('refuses anything that is not a PNG data URL', () => {
    expect(() => pngBase64OfDataUrl('data:image/jpeg;base64,/9j/4AAQ')).toThrow('签名图片不是 PNG 格式');
    expect(() => pngBase64OfDataUrl('data:,')).toThrow();
    expect(() => pngBase64OfDataUrl('iVBORw0KGgo=')).toThrow();
  });
});
