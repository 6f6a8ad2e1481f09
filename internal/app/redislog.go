package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// redisLog routes the Redis client's own messages (dial failures, pool warnings) into the
// server's structured log at debug level: the rate limiter already reports an outage once,
// and unstructured lines would break JSON logs.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client", "message", fmt.Sprintf(format, v...))
}

var redisLogOnce sync.Once

// quietRedis installs redisLog once per process; the Redis client's logger is global.
func quietRedis(log *slog.Logger) {
	redisLogOnce.Do(func() { redis.SetLogger(redisLog{log: log}) })
}
