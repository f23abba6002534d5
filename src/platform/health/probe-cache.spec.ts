import { ProbeCache } from './probe-cache';

describe(ProbeCache.name, () => {
  let now: number;
  let asked: number;
  let cache: ProbeCache<string>;
  const probe = (answer: string) => async (): Promise<string> => {
    asked++;
    return answer;
  };
  beforeEach(() => {
    now = 0;
    asked = 0;
    cache = new ProbeCache<string>(1000, () => now);
  });

  it('answers from the last probe while it is younger than maxAge, then probes again', async () => {
    expect(await cache.get(probe('up'))).toBe('up');
    now = 999;
    expect(await cache.get(probe('other'))).toBe('up');
    expect(asked).toBe(1);
    now = 1000;
    expect(await cache.get(probe('down'))).toBe('down');
    expect(asked).toBe(2);
  });

  it('shares one probe under way among concurrent callers', async () => {
    let release!: (v: string) => void;
    const slow = () => {
      asked++;
      return new Promise<string>((r) => (release = r));
    };
    const callers = [cache.get(slow), cache.get(slow), cache.get(slow)];
    release('up');
    expect(await Promise.all(callers)).toEqual(['up', 'up', 'up']);
    expect(asked).toBe(1);
  });

  it('shares a failure too, and asks again once it is maxAge old', async () => {
    const failing = async (): Promise<string> => {
      asked++;
      throw new Error('connection refused');
    };
    await expect(cache.get(failing)).rejects.toThrow('connection refused');
    now = 500;
    await expect(cache.get(probe('up'))).rejects.toThrow('connection refused');
    now = 1000;
    expect(await cache.get(probe('up'))).toBe('up');
    expect(asked).toBe(2);
  });
});
