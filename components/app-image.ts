import * as path from 'node:path';
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { ImagesConfig } from '../stacks/config';
import { contextDigest } from './content-hash';

export interface AppImageArgs {
  /** Directory name under apps/, also the image name. */
  app: string;
  /** Absolute path of the Pulumi project (where `pulumi` runs); only read here, never sent to the provider. */
  projectDir: string;
  images: ImagesConfig;
}

/**
 * Build context and Dockerfile as the docker provider gets them: relative to the project directory, which is the
 * provider's working directory (and the Dockerfile is resolved from there, not from the context). Absolute paths
 * would differ between two checkouts of the same commit and show every image as changed.
 */
export function buildPaths(app: string): { context: string; dockerfile: string } {
  const context = path.posix.join('apps', app);
  return { context, dockerfile: path.posix.join(context, 'Dockerfile') };
}

/** Image name for an app: `<server>/<repository>/<app>` when pushed, `<repository>/<app>` locally. */
export function imageRepository(app: string, images: ImagesConfig): string {
  const local = `${images.repository}/${app}`;
  return images.registry ? `${images.registry.server}/${local}` : local;
}

/** The node label value (`kubernetes.io/arch`) of a build platform: `linux/arm64` → `arm64`, `linux/arm/v7` → `arm`. */
export function nodeArch(platform: string | undefined): string | undefined {
  return platform?.split('/')[1];
}

/** Length of the content-digest prefix used as the tag (80 bits: collisions are not a concern). */
const tagLength = 20;

/**
 * One app image, built for the target's platform. Pushed images are referenced by digest; images
 * left in the local engine (Docker Desktop, minikube) by a tag derived from the build context's
 * content, because their repoDigest is a bare image ID that a pod cannot use. Either way a
 * rebuild with new content changes `ref`, which rolls the pods. Previews never build or push.
 */
export class AppImage extends pulumi.ComponentResource {
  /** What a pod spec should run. */
  readonly ref: pulumi.Output<string>;
  /**
   * Never for images left in the local engine: their names (`books-platform/<app>`) would resolve to Docker Hub,
   * a namespace anyone can own, once pruned from the node. Pushed images are pinned by digest.
   */
  readonly imagePullPolicy: 'IfNotPresent' | 'Never';
  /** `kubernetes.io/arch` the image runs on; undefined when built for the local engine's own architecture. */
  readonly nodeArch: string | undefined;

  constructor(name: string, args: AppImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('books-platform:index:AppImage', name, {}, opts);
    const { images } = args;
    const paths = buildPaths(args.app);
    const tag = contextDigest(path.join(args.projectDir, paths.context), {
      platform: images.platform,
      args: images.buildArgs,
    }).slice(0, tagLength);
    const imageName = `${imageRepository(args.app, images)}:${tag}`;
    this.imagePullPolicy = images.push ? 'IfNotPresent' : 'Never';
    this.nodeArch = nodeArch(images.platform);
    const registry = images.registry;
    const image = new docker.Image(
      name,
      {
        imageName,
        build: {
          context: paths.context,
          dockerfile: paths.dockerfile,
          platform: images.platform,
          args: { ...images.buildArgs },
          builderVersion: 'BuilderBuildKit',
        },
        skipPush: !images.push,
        registry: registry && {
          server: registry.server,
          username: registry.username,
          password: registry.password === undefined ? undefined : pulumi.secret(registry.password),
        },
      },
      { parent: this },
    );
    this.ref = images.push ? image.repoDigest : image.imageName;
    this.registerOutputs({ ref: this.ref });
  }
}
