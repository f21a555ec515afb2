/**
 * What each runtime can do, by kind, for checks made before any runtime exists (the CLI refusing a fault the
 * chosen runtime cannot make). Each runtime declares its own list; this only gathers them.
 */
import { DockerRuntime } from './docker/runtime.js';
import { NetnsRuntime } from './netns/runtime.js';
import type { Capability, Runtime } from './runtime.js';
import { SimRuntime } from './sim/sim-runtime.js';
import { SshRuntime } from './ssh/runtime.js';

export const RUNTIME_SUPPORTS: Readonly<Record<Runtime['kind'], readonly Capability[]>> = {
  sim: SimRuntime.supports,
  netns: NetnsRuntime.supports,
  docker: DockerRuntime.supports,
  ssh: SshRuntime.supports,
};
