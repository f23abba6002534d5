import { IsInt, IsString, getMetadataStorage, registerDecorator, validate } from 'class-validator';
import { rememberValidationRules } from './validation';

class Visit {
  @IsString() visitId: string;
  desk?: unknown;
}

describe(rememberValidationRules.name, () => {
  const storage = getMetadataStorage();
  beforeAll(() => {
    rememberValidationRules();
    rememberValidationRules(); // idempotent
  });

  it('looks a class’s rules up once and answers the same rules after', () => {
    const first = storage.getTargetValidationMetadatas(Visit, '', false, false);
    expect(first.map((r) => r.propertyName)).toEqual(['visitId']);
    expect(storage.getTargetValidationMetadatas(Visit, '', false, false)).toBe(first);
    expect(storage.getTargetValidationMetadatas(Visit, '', false, false, [])).toBe(first);
    expect(storage.getTargetValidationMetadatas(Visit, '', true, false)).not.toBe(first);
  });

  it('sees rules added later, also inherited ones: a class defined after the first lookup validates fully', async () => {
    expect(await validate(Object.assign(new Visit(), { visitId: 1 }))).toHaveLength(1);
    class FeeLine extends Visit {
      @IsInt() amountFen: number;
    }
    const errors = await validate(Object.assign(new FeeLine(), { visitId: 1, amountFen: 'x' }));
    expect(errors.map((e) => e.property).sort()).toEqual(['amountFen', 'visitId']);
    expect(await validate(Object.assign(new FeeLine(), { visitId: 'MZ1', amountFen: 120 }))).toEqual([]);
  });

  it('drops what it knew when a rule is added to a class already looked up', async () => {
    expect(await validate(Object.assign(new Visit(), { visitId: 'MZ1', desk: 7 }))).toEqual([]);
    registerDecorator({
      name: 'isDesk',
      target: Visit,
      propertyName: 'desk',
      validator: { validate: (value: unknown) => typeof value === 'string' },
    });
    const errors = await validate(Object.assign(new Visit(), { visitId: 'MZ1', desk: 7 }));
    expect(errors.map((e) => e.property)).toEqual(['desk']);
  });
});
