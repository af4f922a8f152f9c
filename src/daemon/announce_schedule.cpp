// When a master announces its VIPs: the burst on becoming master, then the refreshes.
#include "announce_schedule.hpp"

namespace vipd {

void AnnounceSchedule::burst() {
    owner_.announce_round();  // the first round at once: clients must learn the new MAC now
    rounds_left_ = config_.count - 1;
    if (burst_) burst_->cancel();
    if (rounds_left_ <= 0) {
        refresh();
        return;
    }
    if (!burst_) burst_ = time_.make_alarm([this] { tick(); });
    burst_->set(time_.now() + config_.interval);
}

void AnnounceSchedule::tick() {
    if (!owner_.announcing()) return;
    owner_.announce_round();
    if (--rounds_left_ > 0) {
        burst_->set(time_.now() + config_.interval);
    } else {
        refresh();
    }
}

void AnnounceSchedule::refresh() {
    if (refresh_) refresh_->cancel();
    if (config_.refresh <= Duration::zero() || !owner_.announcing()) return;
    if (!refresh_) {
        refresh_ = time_.make_alarm([this] {
            if (!owner_.announcing()) return;
            owner_.announce_round();
            refresh();
        });
    }
    refresh_->set(time_.now() + config_.refresh);
}

void AnnounceSchedule::stop() {
    if (burst_) burst_->cancel();
    if (refresh_) refresh_->cancel();
    rounds_left_ = 0;
}

}  // namespace vipd
