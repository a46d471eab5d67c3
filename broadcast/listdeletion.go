package broadcast

// ListDeletion is what deleting a list takes with it. A list is kept while
// its history needs it: a broadcast to it that sent a text, an unfinished
// broadcast, or an approved schedule still to fire. What is left goes
// with the list: broadcasts that sent nothing (previews never approved,
// broadcasts cancelled or finished before a text was sent) and schedules
// never approved or over.
type ListDeletion struct {
	List List
	// Broadcasts and Schedules are the ids of the unsent broadcasts and
	// the schedules deleted with the list, oldest first.
	Broadcasts []int64
	Schedules  []int64
}
