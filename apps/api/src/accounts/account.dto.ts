import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';

export class CreateAccountDto {
  @ApiProperty({ example: 'Acme Shop', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({
    nullable: true,
    description:
      'Route used when a session names none; counts as a reference to the route, which cannot be deleted (409) while it is the default. ' +
      "Unknown, deleted or another account's route: 422. null clears it. When both defaults are given and one is refused, neither changes.",
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  default_processor_route_id?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'Processor tried first when no route applies. null clears it.' })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  default_processor_id?: string | null;
}
