/** The page's test hooks: real ones in the test build only (see testing/hooks.ts). */
import { readTestHooks } from '../testing/install';
import { NO_TEST_HOOKS, type TestHooks } from '../testing/hooks';

export const hooks: TestHooks = __TEST_BUILD__
  ? readTestHooks(location.search, window, location.hash)
  : NO_TEST_HOOKS;
