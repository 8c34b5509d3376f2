import { describe, expect, it } from 'vitest';
import { checkSpace, NoSpaceError } from './state';

describe('checkSpace', () => {
  it('passes when the files fit and names both sizes when they do not', async () => {
    await expect(checkSpace(10, 100)).resolves.toBeUndefined();
    await expect(checkSpace(200 * 1048576, 1048576)).rejects.toThrow(NoSpaceError);
    await expect(checkSpace(200 * 1048576, 1048576)).rejects.toThrow(/200\.0 MiB.*1\.0 MiB/);
  });
});
