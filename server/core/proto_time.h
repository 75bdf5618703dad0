// Conversions between absl::Time and google.protobuf.Timestamp.
#ifndef MERIDIAN_SERVER_CORE_PROTO_TIME_H_
#define MERIDIAN_SERVER_CORE_PROTO_TIME_H_

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace meridian {

inline void SetTimestamp(google::protobuf::Timestamp* ts, absl::Time t) {
  int64_t us = absl::ToUnixMicros(t);
  int64_t sec = us >= 0 ? us / 1'000'000 : -((-us + 999'999) / 1'000'000);
  ts->set_seconds(sec);
  ts->set_nanos(static_cast<int32_t>((us - sec * 1'000'000) * 1000));
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

}  // namespace meridian

#endif  // MERIDIAN_SERVER_CORE_PROTO_TIME_H_
