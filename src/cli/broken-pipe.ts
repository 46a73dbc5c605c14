/**
 * A log or progress stream that breaks (EPIPE: `| head` exited, a log
 * collector died; EBADF: it was closed) never changes the run (spec §8.4):
 * the copy goes on, reports are sent, the exit code is the copy's. After the
 * first such error nothing more is written to that stream.
 */
const broken = new WeakSet<NodeJS.WritableStream>()

export function guardBrokenPipes(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    stream.on('error', () => {
      broken.add(stream)
      // whoever waits for 'drain' would wait forever on a dead pipe
      stream.emit('drain')
    })
  }
}

export function isBroken(stream: NodeJS.WritableStream): boolean {
  return broken.has(stream) || (stream as {destroyed?: boolean}).destroyed === true
}
