/** The seed's log/report messages, exactly (spec §2); receivers and scripts match on them. */
export const MSG_SUCCEED = 'process succeed complete with exit code 0'
export const MSG_SRC_OR_DEST = 'src path or dest path is empty or not absolute path'
export const MSG_MISS_PARTNER = "missing required partner flag('progress' or 'stderr' miss partner 'report-addr')"
export const MSG_REPORT_ADDR = 'report addr is unavailable'
export const MSG_MAX_RETRY = 'retry limit has been reached, but still get an error(can be recovered)'
export const MSG_UNRECOVERABLE = 'return a unrecoverable error'
export const MSG_CHECK_MOUNT = 'occur a error when check src or dest is mounted'
