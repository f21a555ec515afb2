/**
 * Node output into the run's log files, live: a container's main process through an attach made before the
 * container starts (so nothing printed early is lost), each extra process through its exec stream. Files are
 * appended to, so a restarted node's output follows what it printed before it was killed.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type Dockerode from 'dockerode';
import { withTimeout } from '../time.js';

const CALL_MS = 20_000;

export interface Capture {
  /** Settles once the stream has ended and the file is closed. */
  done: Promise<void>;
  /** Stop copying now (teardown); the file is closed. */
  close(): void;
}

function openLog(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'a' });
}

function pipeToFile(docker: Dockerode, stream: NodeJS.ReadableStream | Duplex, path: string, tty: boolean): Capture {
  const file = openLog(path);
  let closed = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finish = () => {
    if (closed) return;
    closed = true;
    file.end(() => resolveDone());
  };
  if (tty) stream.pipe(file, { end: false });
  else docker.modem.demuxStream(stream, file, file);
  stream.on('end', finish);
  stream.on('close', finish);
  stream.on('error', finish);
  file.on('error', () => undefined);
  return {
    done,
    close: () => {
      (stream as Partial<Duplex>).destroy?.();
      finish();
    },
  };
}

/** Attach to a created (not yet started) container and copy its stdout and stderr into `path`. */
export async function captureContainer(docker: Dockerode, container: Dockerode.Container, path: string): Promise<Capture> {
  const stream = await withTimeout(
    container.attach({ stream: true, stdout: true, stderr: true, logs: false }),
    CALL_MS,
    `docker attach ${container.id.slice(0, 12)}`,
  );
  return pipeToFile(docker, stream, path, false);
}

export interface ExecSpec {
  cmd: string[];
  env: string[];
}

/** Run one more process in a running container, its output copied into `path`. */
export async function execInto(docker: Dockerode, container: Dockerode.Container, spec: ExecSpec, path: string): Promise<{ exec: Dockerode.Exec; capture: Capture }> {
  const exec = await withTimeout(
    container.exec({ Cmd: spec.cmd, Env: spec.env, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false }),
    CALL_MS,
    `docker exec create in ${container.id.slice(0, 12)}`,
  );
  const stream = await withTimeout(exec.start({ hijack: true, stdin: false }), CALL_MS, `docker exec start ${spec.cmd[0]}`);
  return { exec, capture: pipeToFile(docker, stream, path, false) };
}

/** Run a short command in a running container and resolve with its stdout (stderr is dropped). */
export async function execOutput(docker: Dockerode, container: Dockerode.Container, cmd: string[], timeoutMs = CALL_MS): Promise<string> {
  const exec = await withTimeout(
    container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false }),
    CALL_MS,
    `docker exec create in ${container.id.slice(0, 12)}`,
  );
  const stream = await withTimeout(exec.start({ hijack: true, stdin: false }), CALL_MS, `docker exec start ${cmd[0]}`);
  const out = new PassThrough();
  const err = new PassThrough();
  err.resume();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  docker.modem.demuxStream(stream, out, err);
  const ended = new Promise<string>((resolve) => {
    const done = () => resolve(text);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', done);
  });
  return withTimeout(ended, timeoutMs, `docker exec ${cmd[0]}`);
}
