// Work owed before the thread's event loop looks for events again.
//
// Why: a connection that is processing a datagram flushes its packets
// itself once the application's slots have run (ConnectionPrivate::
// process()), so a write made in such a slot needs no posted flush; a
// posted event costs a wake-up of the loop per write (an eventfd write,
// a poll and a read: a fifth of an echo round trip's system calls). But a
// slot may run an event loop of its own (a QEventLoop, a modal dialog,
// QCoreApplication::processEvents()) and wait there for the answer to what
// it wrote: then the flush must not wait for the slot to return. Every
// event loop turn, nested or not, starts with the thread's event dispatcher
// emitting aboutToBlock() (a turn that may wait) or awake() (one that may
// not); whatever is owed then runs first.
//
// One list per thread; entries are keyed so an owner that goes away can
// take its entry back. Runs nothing itself between turns. A loop that Qt's
// dispatcher does not drive (a native file dialog running the GLib context
// itself) emits neither signal: work owed there waits for the slot to
// return or for the connection's next timer, as the flush did before.
#pragma once

#include <cstdint>

namespace quicpool::transport::turnhooks {

using Callback = void (*)(void *key);

/// Calls callback(key) when this thread's event loop starts its next turn
/// (once; a key already owed is not added twice). False when the thread
/// has no event dispatcher: nothing would ever call it, so the caller must
/// do the work another way.
bool defer(void *key, Callback callback);

/// Takes back what defer() owes key on this thread (done already, or the
/// key is going away). Harmless when nothing is owed.
void cancel(void *key);

/// Entries owed on this thread (tests).
int owedOnThisThread();

/// Counts work posted on this thread for its event loop's next turn (a
/// queued flush): a busy-polling socket stops spinning when this moves, as
/// only the loop can run that work.
void notePostedWork();
uint64_t postedWork();

} // namespace quicpool::transport::turnhooks
