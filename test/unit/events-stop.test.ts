/** The event bus and the stop controller, in process; fake timers where a test proves nothing happens. */
import {afterEach, describe, expect, test, vi} from 'vitest'
import {EventBus} from '../../src/core/run/events.js'
import {signalExitCode, StopController} from '../../src/core/run/stop.js'
import type {CopyEvent, Logger, Reporter} from '../../src/plugin-api.js'

function recordingLogger(): Logger & {warnings: string[]} {
  const warnings: string[] = []
  return {warnings, debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(`error: ${m}`)}
}

const START: CopyEvent = {type: 'start', runId: 'r1', src: '/s/', dest: '/d'}
const ATTEMPT: CopyEvent = {type: 'attempt-start', attempt: 1}

afterEach(() => {
  vi.useRealTimers()
})

describe('EventBus', () => {
  test('every reporter gets every event, in order', () => {
    const seen: string[] = []
    const rec = (id: string): Reporter => ({onEvent: (e) => void seen.push(`${id}:${e.type}`)})
    const bus = new EventBus(
      [
        {id: 'a', reporter: rec('a')},
        {id: 'b', reporter: rec('b')},
      ],
      recordingLogger(),
    )
    bus.emit(START)
    bus.emit(ATTEMPT)
    expect(seen).toEqual(['a:start', 'b:start', 'a:attempt-start', 'b:attempt-start'])
  })

  test('a reporter that throws is logged once per distinct failure and never stops the others', async () => {
    const log = recordingLogger()
    const seen: string[] = []
    let n = 0
    const throwing: Reporter = {
      onEvent: () => {
        n++
        throw new Error(n <= 2 ? 'boom' : 'other')
      },
    }
    const rejecting: Reporter = {onEvent: () => Promise.reject(new Error('no route'))}
    const bus = new EventBus(
      [
        {id: 'bad', reporter: throwing},
        {id: 'async', reporter: rejecting},
        {id: 'good', reporter: {onEvent: (e) => void seen.push(e.type)}},
      ],
      log,
    )
    for (let i = 0; i < 4; i++) bus.emit(ATTEMPT)
    await new Promise((resolve) => setImmediate(resolve))
    expect(seen).toHaveLength(4)
    expect(log.warnings.sort()).toEqual(['reporter async failed: no route', 'reporter bad failed: boom', 'reporter bad failed: other'])
  })

  test('flush waits for every reporter that delivers in time', async () => {
    const flushed: number[] = []
    const reporter = (id: number, ms: number): Reporter => ({
      onEvent() {},
      flush: () => new Promise<void>((resolve) => setTimeout(() => (flushed.push(id), resolve()), ms)),
    })
    const bus = new EventBus(
      [
        {id: '1', reporter: reporter(1, 5)},
        {id: '2', reporter: reporter(2, 20)},
      ],
      recordingLogger(),
    )
    await bus.flush(Date.now() + 10_000)
    expect(flushed.sort()).toEqual([1, 2])
  })

  test('flush returns by its deadline (plus a last word) when a reporter never finishes', async () => {
    vi.useFakeTimers()
    const hangs: Reporter = {onEvent() {}, flush: () => new Promise<void>(() => {})}
    const bus = new EventBus([{id: 'hangs', reporter: hangs}], recordingLogger())
    let returned = false
    const flushing = bus.flush(Date.now() + 1000).then(() => (returned = true))
    await vi.advanceTimersByTimeAsync(1000)
    expect(returned).toBe(false)
    await vi.advanceTimersByTimeAsync(100)
    await flushing
    expect(returned).toBe(true)
  })

  test('a flush that throws is logged, the others still flushed', async () => {
    const log = recordingLogger()
    let flushed = false
    const bus = new EventBus(
      [
        {id: 'bad', reporter: {onEvent() {}, flush: () => Promise.reject(new Error('closed'))}},
        {id: 'good', reporter: {onEvent() {}, flush: async () => void (flushed = true)}},
      ],
      log,
    )
    await bus.flush(Date.now() + 1000)
    expect(flushed).toBe(true)
    expect(log.warnings).toEqual(['reporter bad failed: closed'])
  })
})

describe('StopController', () => {
  test('the first signal is the reason; a later hard stop makes it immediate', () => {
    const stop = new StopController()
    const calls: Array<[string, boolean]> = []
    stop.onStop((s, hard) => calls.push([s, hard]))
    expect([stop.stopped, stop.signal, stop.immediate]).toEqual([false, undefined, false])
    stop.stop('SIGTERM')
    stop.stop('SIGINT', true)
    expect([stop.stopped, stop.signal, stop.immediate]).toEqual([true, 'SIGTERM', true])
    expect(calls).toEqual([
      ['SIGTERM', false],
      ['SIGTERM', true],
    ])
  })

  test('a listener added after the stop hears it at once; one removed hears nothing', () => {
    const stop = new StopController()
    const heard: string[] = []
    const off = stop.onStop(() => heard.push('removed'))
    off()
    stop.stop('SIGHUP')
    stop.onStop((s) => heard.push(s))
    expect(heard).toEqual(['SIGHUP'])
  })

  test('sleep resolves after its time, not before', async () => {
    vi.useFakeTimers()
    const stop = new StopController()
    let woke = false
    const sleeping = stop.sleep(5000).then(() => (woke = true))
    await vi.advanceTimersByTimeAsync(4999)
    expect(woke).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await sleeping
    expect(woke).toBe(true)
  })

  test('sleep ends early on a stop, and at once when already stopped or for ≤ 0 ms', async () => {
    vi.useFakeTimers()
    const stop = new StopController()
    let woke = false
    const sleeping = stop.sleep(60_000).then(() => (woke = true))
    await vi.advanceTimersByTimeAsync(10)
    expect(woke).toBe(false)
    stop.stop('SIGINT')
    await sleeping
    expect(woke).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
    await stop.sleep(60_000)
    await new StopController().sleep(0)
  })

  test.each<[NodeJS.Signals, number]>([
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGQUIT', 131],
    ['SIGTERM', 143],
    ['SIGUSR1', 143],
  ])('%s → exit %d', (signal, code) => {
    expect(signalExitCode(signal)).toBe(code)
  })
})
