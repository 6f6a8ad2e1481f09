package auth

// AccountQueries are the store operations behind the account, session-management and
// administration features.
type AccountQueries interface{}
