import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// The public API changes only on purpose: the declarations of every package
// entry must match the API reports committed in libs/signalr/api/.
describe('the public API', () => {
  it('matches the committed API reports (npm run api:update after a change made on purpose)', async () => {
    const run = promisify(execFile)(process.execPath, ['scripts/api-report.mjs'], { encoding: 'utf8' });
    await expect(run).resolves.toMatchObject({ stdout: expect.stringContaining('matches the API reports') });
  }, 180_000);
});
