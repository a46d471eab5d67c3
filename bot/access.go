package bot

import (
	"slices"

	"smsbot/broadcast"
)

// access holds who may do what.
type access struct {
	admins    []string
	approvers []string
}

func newAccess(admins, approvers []string) access {
	return access{admins: admins, approvers: approvers}
}

// change checks that user may run commands that change data or send.
func (a access) change(user string) error {
	if len(a.admins) == 0 || slices.Contains(a.admins, user) {
		return nil
	}
	return broadcast.Errorf(broadcast.EFORBIDDEN, "only smsbot admins can do that; ask one of them, or an operator to add you to SMSBOT_ADMINS")
}

// approve checks that user may approve a broadcast requested by requester.
// With approvers configured, only they may, and never their own request;
// without, the requester confirms (or any admin).
func (a access) approve(user, requester string) error {
	if len(a.approvers) > 0 {
		if !slices.Contains(a.approvers, user) {
			return broadcast.Errorf(broadcast.EFORBIDDEN, "only approvers can approve a send (SMSBOT_APPROVERS)")
		}
		if user == requester {
			return broadcast.Errorf(broadcast.EFORBIDDEN, "you requested this send, so another approver has to approve it (two-person rule)")
		}
		return nil
	}
	if user == requester {
		return nil
	}
	return a.change(user)
}
