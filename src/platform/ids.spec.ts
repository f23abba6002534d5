import { uuidv7 } from './ids';

describe(uuidv7.name, () => {
  it('is a version-7 UUID that sorts by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1764028800000));
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws fresh random bits for every id (the last 48 bits never repeat across pool refills)', () => {
    const tails = Array.from({ length: 3000 }, () => uuidv7().slice(-12));
    expect(new Set(tails).size).toBe(tails.length);
  });
});
