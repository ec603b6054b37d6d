import { DomainError } from '@payments/domain';

/** The DomainError `run` throws, for a spec to look into; any other error is rethrown, and none fails the spec. */
export function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}
