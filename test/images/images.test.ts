// The three images as built (amd64): the contract's image conventions (docs/contracts.md, "Images") and size targets.
import assert from 'node:assert/strict';
import { APPS, APP_USER } from './apps';
import { harness } from './harness';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

describe('images (amd64, built from the real Dockerfiles)', function () {
  after(function () {
    const { images, postgresImage } = harness();
    process.stdout.write('\n    image                     build      size      bound\n');
    for (const app of APPS) {
      const image = images[app.name];
      const bound = `${mb(app.maxSizeBytes)} (${app.sizeRule})`;
      process.stdout.write(
        `    ${app.name.padEnd(24)} ${`${image.seconds.toFixed(1)} s`.padStart(8)} ${mb(image.sizeBytes).padStart(10)}  ≤ ${bound}\n`,
      );
    }
    process.stdout.write(
      `    ${'postgres stand-in'.padEnd(24)} ${`${postgresImage.seconds.toFixed(1)} s`.padStart(8)} ${mb(postgresImage.sizeBytes).padStart(10)}\n\n`,
    );
  });

  for (const app of APPS) {
    describe(app.name, function () {
      it(`runs as the numeric user ${APP_USER}`, function () {
        const { user } = harness().images[app.name];
        assert.equal(
          user,
          APP_USER,
          `${app.name}: image config User is ${JSON.stringify(user)}, expected "${APP_USER}" (USER ${APP_USER} in the Dockerfile)`,
        );
      });

      it('has a HEALTHCHECK', function () {
        const { healthcheck } = harness().images[app.name];
        assert.ok(
          healthcheck && healthcheck.length > 0 && healthcheck[0] !== 'NONE',
          `${app.name}: no HEALTHCHECK in the image config (${JSON.stringify(healthcheck)})`,
        );
      });

      it(`is within its size target (${app.sizeRule})`, function () {
        const { sizeBytes } = harness().images[app.name];
        const bound = app.maxSizeBytes;
        assert.ok(
          sizeBytes <= bound,
          `${app.name} is ${mb(sizeBytes)}, over its target ${mb(bound)} (${app.sizeRule})`,
        );
      });
    });
  }
});
