package auth

// RiskQueries are the store operations the risk engine reads its signals with.
type RiskQueries interface{}
