/**
 * transporter's exit codes by name (spec §2), the seed's names. Import-free:
 * every caller that exits, throws or maps an errno names its code from here.
 */
export const EXIT = {
  Succeed: 0,
  ErrNoSuchFileOrDir: 2,
  ErrIOError: 5,
  ErrPermissionDenied: 13,
  ErrDeviceIsBusy: 16,
  ErrInvalidArgument: 22,
  ErrNoSpaceLeftOnDevice: 28,
  ErrFileSystemIsReadOnly: 30,
  ErrFileNameTooLong: 36,
  ErrSystem: 255,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** 128+n: transporter was stopped by signal n (143 SIGTERM, 130 SIGINT). */
export const SIGNAL_EXIT_BASE = 128
