export * from './read-models.tokens';
export * from './projections.service';
export * from './read-models.module';
