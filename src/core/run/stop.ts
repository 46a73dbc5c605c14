import {SIGNAL_EXIT_BASE} from '../codes/exit.js'
/**
 * A stop request from outside (SIGTERM/SIGINT/SIGHUP to transporter). Core
 * never touches process signals itself; the CLI turns them into stop().
 */
export class StopController {
  private reason: NodeJS.Signals | undefined
  private hard = false
  private readonly listeners = new Set<(signal: NodeJS.Signals, hard: boolean) => void>()

  get stopped(): boolean {
    return this.reason !== undefined
  }

  get signal(): NodeJS.Signals | undefined {
    return this.reason
  }

  get immediate(): boolean {
    return this.hard
  }

  /** `hard`: kill at once (a second SIGINT) instead of a graceful stop. */
  stop(signal: NodeJS.Signals, hard = false): void {
    this.reason ??= signal
    this.hard ||= hard
    for (const listener of [...this.listeners]) listener(this.reason, this.hard)
  }

  onStop(listener: (signal: NodeJS.Signals, hard: boolean) => void): () => void {
    this.listeners.add(listener)
    if (this.reason) listener(this.reason, this.hard)
    return () => this.listeners.delete(listener)
  }

  /** Resolves after `ms`, or earlier when stopped. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      const off = this.onStop(done)
      function done() {
        clearTimeout(timer)
        off()
        resolve()
      }
    })
  }
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15}

/** 128 + n, the shell's convention for "stopped by signal n". */
export function signalExitCode(signal: NodeJS.Signals): number {
  return SIGNAL_EXIT_BASE + (SIGNAL_NUMBERS[signal] ?? 15)
}
