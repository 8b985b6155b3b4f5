package evidence

import "syscall"

const noATime = syscall.O_NOATIME
