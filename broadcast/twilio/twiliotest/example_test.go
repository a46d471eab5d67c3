package twiliotest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"smsbot/broadcast/twilio/twiliotest"
)

// Example scripts a rate limit on the first attempt of each message and a
// permanently invalid number, then sends raw requests as any client would.
func Example() {
	srv := twiliotest.NewServer(twiliotest.Config{
		Invalid: map[string]int{"+15005550001": 21211},
		Fault: func(r twiliotest.CreateRequest) twiliotest.Fault {
			if r.Attempt == 1 {
				return twiliotest.Fault429
			}
			return twiliotest.FaultNone
		},
	})
	defer srv.Close()

	post := func(to string) int {
		form := url.Values{"From": {"+15550001111"}, "To": {to}, "Body": {"hi"}}
		req, _ := http.NewRequest(http.MethodPost,
			srv.URL()+"/2010-04-01/Accounts/"+srv.AccountSID()+"/Messages.json",
			strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(srv.AccountSID(), srv.AuthToken())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}

	fmt.Println(post("+15550002222"), post("+15550002222"), post("+15005550001"), post("+15005550001"))
	m := <-srv.Created()
	fmt.Println(m.To, m.Status, len(srv.Messages()), srv.Requests())
	// Output:
	// 429 201 429 400
	// +15550002222 queued 1 4
}
