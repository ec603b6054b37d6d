import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Max, Min, ValidateNested } from 'class-validator';
import { ProblemException } from './problem-details';
import { RequestValidationPipe } from './request-validation.pipe';

class RouteProcessorDto {
  @IsString()
  processor_id!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  split?: number;
}

class RouteDto {
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => RouteProcessorDto)
  processors!: RouteProcessorDto[];

  @IsOptional()
  @IsIn(['priority', 'volume_split'])
  strategy?: string;

  @IsOptional()
  @IsUrl()
  url?: string;
}

class SearchQuery {
  @IsOptional()
  @IsString()
  @Length(1, 10)
  q?: string;
}

const pipe = new RequestValidationPipe();
const valid = { name: 'US', processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b', split: 30 }] };

async function problemOf(value: unknown, type: 'body' | 'query' = 'body', metatype: new () => unknown = RouteDto): Promise<ProblemException> {
  try {
    await pipe.transform(value, { type, metatype });
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected the pipe to reject the value');
}

describe('RequestValidationPipe', () => {
  it('passes a valid body through as an instance of its DTO', async () => {
    const dto = await pipe.transform(valid, { type: 'body', metatype: RouteDto });
    expect(dto).toBeInstanceOf(RouteDto);
    expect((dto as RouteDto).processors[1]).toBeInstanceOf(RouteProcessorDto);
  });

  it('answers 422 when a well-typed value breaks a range, naming the field by its path', async () => {
    const problem = await problemOf({ ...valid, processors: [{ processor_id: 'a' }, { processor_id: 'b', split: 101 }] });
    expect(problem.getStatus()).toBe(422);
    expect(problem.extras.errors).toEqual([{ field: 'processors[1].split', message: 'split must not be greater than 100' }]);
  });

  it('answers 422 for a broken length, count or format', async () => {
    const problem = await problemOf({ name: '', processors: [], url: 'not a url' });
    expect(problem.getStatus()).toBe(422);
    expect(problem.extras.errors?.map((e) => e.field)).toEqual(['name', 'processors', 'url']);
  });

  it('answers 400 for an unknown property, at the top or inside an array element', async () => {
    const problem = await problemOf({ ...valid, extra: 1, processors: [{ processor_id: 'a', weight: 3 }] });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'property extra should not exist' },
        { field: 'processors[0].weight', message: 'property weight should not exist' },
      ]),
    );
  });

  it('answers 400 for a missing required property', async () => {
    const problem = await problemOf({ processors: valid.processors });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual([{ field: 'name', message: 'name is required' }]);
  });

  it('answers 400 for a value of the wrong type, without the rules a value of that type would break', async () => {
    const problem = await problemOf({ ...valid, name: 5 });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual([{ field: 'name', message: 'name must be a string' }]);
  });

  it('answers 400 for a value outside an enum', async () => {
    const problem = await problemOf({ ...valid, strategy: 'random' });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual([{ field: 'strategy', message: expect.stringContaining('strategy must be one of') }]);
  });

  it('answers 400 for a nested value that is not an object', async () => {
    const problem = await problemOf({ ...valid, processors: ['proc_stg_a'] });
    expect(problem.getStatus()).toBe(400);
  });

  // Found by the OpenAPI fuzz suite: `rules: [[]]` passed validation and broke the route's defaults with a 500.
  it('answers 400 for a list where a nested object belongs, which ValidateNested walks as a list', async () => {
    const problem = await problemOf({ ...valid, processors: [[], [{ processor_id: 'proc_stg_a' }]] });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual([
      { field: 'processors[0]', message: 'must be an object, not a list' },
      { field: 'processors[1]', message: 'must be an object, not a list' },
    ]);
  });

  it('answers 400 listing every problem when shape and rule problems come together', async () => {
    const problem = await problemOf({ ...valid, name: '', strategy: 'random' });
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors?.map((e) => e.field).sort()).toEqual(['name', 'strategy']);
  });

  it('answers 400 for a body that is not an object', async () => {
    const problem = await problemOf([valid]);
    expect(problem.getStatus()).toBe(400);
    expect(problem.detail).toBe('The request body must be a JSON object.');
  });

  it('answers 400, not 422, when a query parameter breaks a rule', async () => {
    const problem = await problemOf({ q: 'far too long for it' }, 'query', SearchQuery);
    expect(problem.getStatus()).toBe(400);
    expect(problem.extras.errors).toEqual([{ field: 'q', message: expect.any(String) }]);
  });

  it('puts every field message into the detail', async () => {
    const problem = await problemOf({ ...valid, name: 5, extra: 1 });
    expect(problem.detail).toContain('name must be a string');
    expect(problem.detail).toContain('property extra should not exist');
  });
});
