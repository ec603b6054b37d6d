import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Page } from './pagination';

/**
 * The OpenAPI schema of a list response, `{items, total, has_more}` (see toPage), named
 * `<Item>Page`. Call it once per item class: the document keys schemas by class name.
 */
export function PageOf<Item>(item: Type<Item>): Type<Page<Item>> {
  class ItemPage implements Page<Item> {
    @ApiProperty({ type: [item], description: 'The page that limit and offset selected' })
    items!: Item[];

    @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: 'How many items match, across all pages' })
    total!: number;

    @ApiProperty({ example: false, description: 'Whether items follow this page: offset + items.length < total' })
    has_more!: boolean;
  }
  Object.defineProperty(ItemPage, 'name', { value: `${item.name}Page` });
  return ItemPage;
}
