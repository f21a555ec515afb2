/**
 * Finding and talking to a Docker engine. Every call that waits on the engine is bounded here, because an
 * engine that hangs (or a socket nobody serves) must give a clear error, not a stuck run. Streams (attach,
 * exec) are not bounded: they last as long as the process they carry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../histories/errors.js';
import { withTimeout } from '../time.js';
import Dockerode from 'dockerode';

export type DockerOptions = Dockerode.DockerOptions;

/** The socket scripts/dockerd.sh starts its private engine on. */
export const FAULTLINE_SOCKET = '/var/run/faultline-docker.sock';
export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** Labels on everything a run creates; cleanup finds a run's objects by them. */
export const RUN_LABEL = 'faultline.run';
export const NODE_LABEL = 'faultline.node';
/** 'node' for a node's container, 'sandbox' for the one holding its network namespace. */
export const ROLE_LABEL = 'faultline.role';
/** "<pid>:<start time>" of the harness process that owns the run, so cleanup can spare live runs. */
export const OWNER_LABEL = 'faultline.owner';

export class EngineUnavailable extends Error {
  constructor(readonly host: string, cause: string) {
    super(`no Docker engine answers at ${host} (${cause}); start one with \`scripts/dockerd.sh start\` and export the DOCKER_HOST it prints`);
    this.name = 'EngineUnavailable';
  }
}

/**
 * Connection options for the engine: the given ones, else DOCKER_HOST, else the standard socket, else the
 * private engine of scripts/dockerd.sh (whichever socket exists first). A DOCKER_HOST other than a unix
 * socket (tcp://, ssh://, with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH) is left to docker-modem, which reads
 * those variables the way the docker CLI does: the empty options here mean "from the environment".
 */
export function engineOptions(given?: DockerOptions): DockerOptions {
  if (given) return given;
  const env = process.env.DOCKER_HOST;
  if (env && env.startsWith('unix://')) return { socketPath: env.slice('unix://'.length) || DEFAULT_SOCKET };
  if (env) {
    try {
      new URL(env.includes('//') ? env : `tcp://${env}`);
    } catch {
      throw new InputError(`DOCKER_HOST="${env}" is not an engine address (unix:///path, tcp://host:port or ssh://user@host)`);
    }
    return {};
  }
  for (const s of [DEFAULT_SOCKET, FAULTLINE_SOCKET]) if (existsSync(s)) return { socketPath: s };
  return { socketPath: DEFAULT_SOCKET };
}

/** The engine address as the docker CLI's -H wants it (for messages and the synchronous exit hook). */
export function engineUrl(opts: DockerOptions): string {
  if (opts.socketPath) return `unix://${opts.socketPath}`;
  if (opts.host) return `${opts.protocol === 'ssh' ? 'ssh' : 'tcp'}://${opts.host}:${opts.port ?? 2375}`;
  return process.env.DOCKER_HOST ?? `unix://${DEFAULT_SOCKET}`;
}

/**
 * True when the container with this id runs on this machine, as the PID the engine reports: that PID's
 * cgroup names the container. The runtime needs it so: faults enter the container's network namespace by
 * that PID (nsenter), and clients connect to container addresses routed on this host. An engine on another
 * machine (DOCKER_HOST=tcp://... or ssh://...), or in a VM as with Docker Desktop, fails this check.
 */
export function containerIsLocal(pid: number, containerId: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || containerId.length < 12) return false;
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId);
  } catch {
    return false;
  }
}

export function connectEngine(given?: DockerOptions): { docker: Dockerode; options: DockerOptions; url: string } {
  const options = engineOptions(given);
  return { docker: new Dockerode(options), options, url: engineUrl(options) };
}

/** Throws EngineUnavailable unless the engine answers a ping within `timeoutMs`. */
export async function pingEngine(docker: Dockerode, url: string, timeoutMs = 5000): Promise<void> {
  try {
    await withTimeout(docker.ping(), timeoutMs, 'docker ping');
  } catch (e) {
    throw new EngineUnavailable(url, e instanceof Error ? e.message : String(e));
  }
}

/** Does an engine answer? Never throws. */
export async function engineAnswers(given?: DockerOptions, timeoutMs = 3000): Promise<{ ok: boolean; url: string; reason?: string }> {
  const { docker, url } = connectEngine(given);
  try {
    await pingEngine(docker, url, timeoutMs);
    return { ok: true, url };
  } catch (e) {
    return { ok: false, url, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** The HTTP status of a dockerode error (404 missing, 304 already in that state, 409 conflict), if any. */
export function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}
