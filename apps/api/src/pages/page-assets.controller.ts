import { ServerResponse } from 'node:http';
import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { notFound } from '@payments/domain';
import { Public } from '../http/principal';
import { PageAssets } from './page-assets';
import { PageErrorsFilter } from './page-errors.filter';

/** The pages' stylesheet, scripts, icon and chart library at content-hashed paths, kept by browsers for a year. */
@ApiExcludeController()
@Public()
@UseFilters(PageErrorsFilter)
@Controller('assets')
export class PageAssetsController {
  constructor(private readonly assets: PageAssets) {}

  @Get(':file')
  serve(@Param('file') file: string, @Res() response: ServerResponse): void {
    const asset = this.assets.find(file);
    if (!asset) throw notFound(`no asset ${file}`);
    response.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': asset.body.length,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(asset.body);
  }
}
